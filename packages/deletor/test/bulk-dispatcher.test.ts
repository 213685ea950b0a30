import type { BulkDeletionRequested, DeadLetter } from "@deletion/contracts";
import { BulkIds, type BulkRuntime } from "@deletion/workflows";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { BulkDispatcher } from "../src/bulk-dispatcher.js";
import type { ConsumedMessage } from "../src/consumer-port.js";
import { SERVER_DURABILITY } from "../src/durability.js";
import { PartitionOffsets } from "../src/offset-tracker.js";

function setup() {
  const begun: BulkDeletionRequested[] = [];
  const safe = Promise.withResolvers<void>();
  const runtime: BulkRuntime = {
    ids: new BulkIds("deletion"),
    begin: async (request) => {
      begun.push(request);
      return {
        promiseId: `deletion/_bulk/${request.bulkId}`,
        attached: begun.filter((b) => b.bulkId === request.bulkId).length > 1,
        end: () => new Promise(() => {}),
      };
    },
  };
  const deadLetters: DeadLetter[] = [];
  const partition = new PartitionOffsets("bulk", 0);
  const dispatcher = new BulkDispatcher({
    runtime,
    durability: SERVER_DURABILITY,
    selectors: new Map([["tenant", ["tenant"]]]),
    publishDeadLetter: async (d) => {
      deadLetters.push(d);
    },
    logger: pino({ level: "silent" }),
    onSafe: () => {
      if (partition.inFlight === 0) safe.resolve();
    },
  });
  return { begun, deadLetters, dispatcher, partition, allSafe: safe.promise };
}

const message = (key: string, value: unknown, offset: number): ConsumedMessage => ({
  topic: "bulk",
  partition: 0,
  offset: String(offset),
  key: Buffer.from(key),
  value: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)),
  timestamp: "1700000000000",
});
const bulk = (bulkId: string, selector: string, params: Record<string, string>) => ({
  schemaVersion: 1,
  bulkId,
  requestedAt: "2026-12-01T00:00:00.000Z",
  selector,
  params,
});

describe("BulkDispatcher", () => {
  it("starts a configured selector's bulk and dead-letters unknown selectors and bad messages with reasons", async () => {
    const { begun, deadLetters, dispatcher, partition, allSafe } = setup();
    dispatcher.accept(message("b1", bulk("b1", "tenant", { tenant: "acme" }), 0), partition);
    dispatcher.accept(message("b2", bulk("b2", "region", { region: "eu" }), 1), partition);
    dispatcher.accept(message("b3", bulk("b3", "tenant", { tenant: "acme", sql: "1=1" }), 2), partition);
    dispatcher.accept(message("b4", "{not json", 3), partition);
    dispatcher.accept(message("other", bulk("b5", "tenant", { tenant: "acme" }), 4), partition);
    await allSafe;
    expect(begun.map((b) => b.bulkId)).toEqual(["b1"]);
    expect(deadLetters.map((d) => [d.source.offset, d.reasonCode])).toEqual([
      ["1", "UNKNOWN_SELECTOR"],
      ["2", "UNKNOWN_SELECTOR"],
      ["3", "INVALID_JSON"],
      ["4", "KEY_MISMATCH"],
    ]);
    expect(deadLetters[0]?.reason).toMatch(
      /selector "region" is not configured on this deployment \(configured: tenant\)/,
    );
    expect(partition.commitPosition()).toBe(5n);
  });
});
