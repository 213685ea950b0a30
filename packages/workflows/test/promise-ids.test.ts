import { describe, expect, it } from "vitest";
import { DEFAULT_PROMISE_PREFIX, PromiseIds, PromisePrefixSchema } from "../src/index.js";

describe("PromiseIds", () => {
  const ids = new PromiseIds();

  it("namespaces a record's first attempt under the prefix and suffixes later attempts", () => {
    expect(DEFAULT_PROMISE_PREFIX).toBe("deletion");
    expect(ids.of("rec-1", 1)).toBe("deletion/rec-1");
    expect(ids.of("rec-1", 2)).toBe("deletion/rec-1/attempt-2");
    expect(ids.of("a.b_c-9", 12)).toBe("deletion/a.b_c-9/attempt-12");
    expect(new PromiseIds("acme/deletion").of("x", 3)).toBe("acme/deletion/x/attempt-3");
  });

  it("never gives the bare record id, nor any id holding ':' (reserved by Resonate)", () => {
    for (const attempt of [1, 2, 30]) {
      const id = ids.of("rec-1", attempt);
      expect(id).not.toBe("rec-1");
      expect(id).not.toContain(":");
    }
  });

  it("parses its own ids back and nothing else", () => {
    expect(ids.parse("deletion/rec-1")).toEqual({ recordId: "rec-1", attempt: 1 });
    expect(ids.parse("deletion/rec-1/attempt-7")).toEqual({ recordId: "rec-1", attempt: 7 });
    for (const other of [
      "rec-1",
      "deletion",
      "deletion/",
      "other/rec-1",
      "deletionx/rec-1",
      "deletion/rec-1/attempt-1", // attempt 1 has no suffix: one attempt, one id
      "deletion/rec-1/attempt-0",
      "deletion/rec-1/attempt-02",
      "deletion/rec-1/retry-2",
      "deletion/rec-1/attempt-2/more",
      "deletion/-bad",
      "deletion/rec-1:1",
    ]) {
      expect(ids.parse(other), other).toBeUndefined();
    }
    for (const attempt of [1, 2, 99])
      expect(ids.parse(ids.of("r", attempt))).toEqual({ recordId: "r", attempt });
  });

  it("refuses attempt numbers below 1", () => {
    expect(() => ids.of("r", 0)).toThrow(RangeError);
    expect(() => ids.of("r", 1.5)).toThrow(RangeError);
  });

  it("accepts prefixes of safe segments joined by '/' and refuses the rest", () => {
    for (const good of ["deletion", "acme/deletion", "team-1.del_v2", "a/b/c"]) {
      expect(PromisePrefixSchema.safeParse(good).success, good).toBe(true);
    }
    for (const bad of [
      "",
      "a:b",
      "/deletion",
      "deletion/",
      "a//b",
      ".hidden",
      "with space",
      "x".repeat(65),
    ]) {
      expect(PromisePrefixSchema.safeParse(bad).success, bad).toBe(false);
    }
    expect(() => new PromiseIds("a:b")).toThrow();
  });
});

describe("PromiseIds with an id key", () => {
  const idKey = Buffer.alloc(32, 7);
  const keyed = new PromiseIds("deletion", { idKey });

  it("carries a 22-character base64url keyed hash instead of the record id", () => {
    const id = keyed.of("customer-17", 1);
    expect(id).toMatch(/^deletion\/[A-Za-z0-9_-]{22}$/);
    expect(id).not.toContain("customer-17");
    expect(keyed.of("customer-17", 3)).toBe(`${id}/attempt-3`);
  });

  it("is the same for the same record and key, and differs per record and per key", () => {
    expect(new PromiseIds("deletion", { idKey: Buffer.alloc(32, 7) }).of("customer-17", 1)).toBe(
      keyed.of("customer-17", 1),
    );
    expect(keyed.of("customer-18", 1)).not.toBe(keyed.of("customer-17", 1));
    expect(new PromiseIds("deletion", { idKey: Buffer.alloc(32, 8) }).of("customer-17", 1)).not.toBe(
      keyed.of("customer-17", 1),
    );
  });

  it("is HMAC-SHA-256 of the record id, its first 16 bytes", async () => {
    const { createHmac } = await import("node:crypto");
    const expected = createHmac("sha256", idKey)
      .update("customer-17")
      .digest()
      .subarray(0, 16)
      .toString("base64url");
    expect(keyed.of("customer-17", 1)).toBe(`deletion/${expected}`);
  });

  it("parses its own ids to the hash and the attempt, and refuses plain record ids", () => {
    const segment = keyed.segmentOf("customer-17");
    expect(keyed.parse(keyed.of("customer-17", 4))).toEqual({ recordId: segment, attempt: 4 });
    expect(keyed.parse("deletion/customer-17")).toBeUndefined();
  });

  it("refuses a key shorter than 32 bytes", () => {
    expect(() => new PromiseIds("deletion", { idKey: Buffer.alloc(16) })).toThrow(/at least 32 bytes/);
  });
});
