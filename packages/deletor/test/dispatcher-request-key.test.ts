import type { DeadLetter } from "@deletion/contracts";
import type { DeletionRequestInput, DeletionRuntime } from "@deletion/workflows";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import type { ConsumedMessage } from "../src/consumer-port.js";
import { Dispatcher } from "../src/dispatcher.js";
import { IN_PROCESS_DURABILITY } from "../src/durability.js";
import { WorkerMetrics } from "../src/metrics.js";
import { PartitionOffsets } from "../src/offset-tracker.js";

/** Records every start; each workflow finishes at once. */
function setup() {
  const begun: DeletionRequestInput[] = [];
  const runtime: DeletionRuntime = {
    begin: async (request) => {
      begun.push(request);
      return { kind: "finished", attempt: 1, promiseId: `deletion/${request.recordId}`, status: "completed" };
    },
  };
  const deadLetters: DeadLetter[] = [];
  const metrics = new WorkerMetrics({ processMetrics: false });
  const dispatcher = new Dispatcher({
    runtime,
    durability: IN_PROCESS_DURABILITY,
    publishDeadLetter: async (d) => {
      deadLetters.push(d);
    },
    batchSleepMs: 10,
    logger: pino({ level: "silent" }),
    metrics,
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
  });
  return { begun, deadLetters, metrics, dispatcher, partition: new PartitionOffsets("requests", 0) };
}

const message = (key: string | null, value: string, offset: number): ConsumedMessage => ({
  topic: "requests",
  partition: 0,
  offset: String(offset),
  key: key === null ? null : Buffer.from(key),
  value: Buffer.from(value),
  timestamp: "1700000000000",
});
const request = (recordId: string) =>
  JSON.stringify({ schemaVersion: 1, recordId, requestedAt: "2026-11-27T00:00:00.000Z" });

describe("Dispatcher: the Kafka key must be the request's recordId", () => {
  it("starts the workflow of a request keyed by its recordId (also in the legacy forms)", async () => {
    const { begun, deadLetters, dispatcher, partition } = setup();
    dispatcher.accept(message("customer-1", request("customer-1"), 0), partition);
    dispatcher.accept(message("customer-2", JSON.stringify("customer-2"), 1), partition);
    dispatcher.accept(message("customer-3", JSON.stringify(["customer-3"]), 2), partition);
    await vi.waitFor(() => expect(begun).toHaveLength(3));
    expect(begun.map((r) => r.recordId)).toEqual(["customer-1", "customer-2", "customer-3"]);
    expect(deadLetters).toEqual([]);
  });

  it("dead-letters a request whose key names another record, or that has no key, as KEY_MISMATCH", async () => {
    const { begun, deadLetters, dispatcher, metrics, partition } = setup();
    dispatcher.accept(message("customer-1", request("customer-2"), 0), partition);
    dispatcher.accept(message(null, request("customer-3"), 1), partition);
    dispatcher.accept(message("customer-4", JSON.stringify("customer-5"), 2), partition);
    await vi.waitFor(() => expect(deadLetters).toHaveLength(3));

    expect(begun).toEqual([]);
    expect(deadLetters.map((d) => [d.source.offset, d.reasonCode])).toEqual([
      ["0", "KEY_MISMATCH"],
      ["1", "KEY_MISMATCH"],
      ["2", "KEY_MISMATCH"],
    ]);
    expect(deadLetters[0]?.reason).toMatch(/key .* is not the request's recordId/);
    expect(deadLetters[1]?.reason).toMatch(/no key/);
    // The original bytes travel with the dead letter, so the request can be looked at and re-driven.
    expect(Buffer.from(deadLetters[0]?.keyBase64 ?? "", "base64").toString()).toBe("customer-1");
    expect(Buffer.from(deadLetters[0]?.valueBase64 ?? "", "base64").toString()).toBe(request("customer-2"));
    // Dead-lettered means handled: the offsets become safe to commit.
    await vi.waitFor(() => expect(partition.commitPosition()).toBe(3n));
    const counted = (await metrics.deadLettered.get()).values.find((v) => v.labels.reason === "KEY_MISMATCH");
    expect(counted?.value).toBe(3);
  });
});
