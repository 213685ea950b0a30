import { describe, expect, it } from "vitest";
import {
  type BulkDeletionCompleted,
  BulkDeletionCompletedSchema,
  bulkRequestsOf,
  decodeBulkDeletionRequested,
  decodeMessage,
  encodeBulkDeletionCompleted,
  encodeBulkDeletionRequested,
} from "../src/index.js";

const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const base = { schemaVersion: 1 as const, bulkId: "acme-2026", requestedAt: "2026-12-01T00:00:00.000Z" };

describe("BulkDeletionRequested", () => {
  it("decodes a selector request and round trips", () => {
    const request = { ...base, selector: "tenant", params: { tenant: "acme" } };
    const decoded = decodeBulkDeletionRequested(encodeBulkDeletionRequested(request), {
      key: Buffer.from("acme-2026"),
    });
    expect(decoded).toEqual({ ok: true, value: request });
  });

  it("decodes an id list, bounded", () => {
    expect(decodeBulkDeletionRequested(bytes({ ...base, ids: ["c-1", "c-2"] }))).toMatchObject({ ok: true });
    const tooMany = Array.from({ length: 1001 }, (_, i) => `c-${i}`);
    expect(decodeBulkDeletionRequested(bytes({ ...base, ids: tooMany }))).toMatchObject({
      ok: false,
      error: { code: "SCHEMA_VIOLATION", reason: expect.stringContaining("at most 1000") },
    });
  });

  it("refuses both or neither of selector and ids, SQL in a selector name, and a wrong key", () => {
    const both = decodeBulkDeletionRequested(bytes({ ...base, selector: "tenant", ids: ["c-1"] }));
    expect(both).toMatchObject({ ok: false, error: { reason: expect.stringContaining("either selector") } });
    expect(decodeBulkDeletionRequested(bytes(base))).toMatchObject({ ok: false });
    const sql = decodeBulkDeletionRequested(bytes({ ...base, selector: "tenant; drop table x", params: {} }));
    expect(sql).toMatchObject({ ok: false, error: { code: "SCHEMA_VIOLATION" } });
    const key = decodeBulkDeletionRequested(bytes({ ...base, ids: ["c-1"] }), { key: Buffer.from("other") });
    expect(key).toMatchObject({ ok: false, error: { code: "KEY_MISMATCH" } });
    expect(decodeBulkDeletionRequested(bytes({ ...base, schemaVersion: 2, ids: ["c"] }))).toMatchObject({
      ok: false,
      error: { code: "UNSUPPORTED_SCHEMA_VERSION" },
    });
    expect(decodeBulkDeletionRequested(Buffer.from("not json"))).toMatchObject({
      ok: false,
      error: { code: "INVALID_JSON" },
    });
  });
});

describe("BulkDeletionCompleted", () => {
  it("round trips with its totals", () => {
    const completed: BulkDeletionCompleted = {
      schemaVersion: 1,
      bulkId: "acme-2026",
      status: "completed",
      selector: "tenant",
      params: { tenant: "acme" },
      matched: 3,
      softDeleted: 3,
      requested: 3,
      deleted: 2,
      failed: 1,
      failedIds: ["c-3"],
      failedIdsTruncated: false,
      rowsDeleted: 40,
      notRequested: 0,
      restored: 0,
      startedAt: "2026-12-01T00:00:00.000Z",
      completedAt: "2026-12-01T00:01:00.000Z",
      idempotencyKey: "deletion/_bulk/acme-2026",
    };
    expect(decodeMessage(BulkDeletionCompletedSchema, encodeBulkDeletionCompleted(completed))).toEqual({
      ok: true,
      value: completed,
    });
  });
});

describe("bulkRequestsOf", () => {
  it("publishes a selector as one message and a long id list in chunks of bulks of their own", () => {
    const at = "2026-12-01T00:00:00.000Z";
    expect(
      bulkRequestsOf({ bulkId: "b", requestedAt: at, selector: "tenant", params: { tenant: "a" } }),
    ).toEqual([
      { schemaVersion: 1, bulkId: "b", requestedAt: at, selector: "tenant", params: { tenant: "a" } },
    ]);
    const ids = Array.from({ length: 2_500 }, (_, i) => `c-${i}`);
    const chunks = bulkRequestsOf({ bulkId: "b", requestedAt: at, ids: [...ids, "c-0"] });
    expect(chunks.map((c) => [c.bulkId, c.ids?.length])).toEqual([
      ["b.1", 1000],
      ["b.2", 1000],
      ["b.3", 500],
    ]);
    for (const chunk of chunks)
      expect(decodeBulkDeletionRequested(encodeBulkDeletionRequested(chunk)).ok).toBe(true);
  });
});
