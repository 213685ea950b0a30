import { scrapeResonateRequests } from "@deletion/test-kit";
import { afterEach, describe, expect, inject, it } from "vitest";
import { needsServer, resonateMetricsUrl, resonateServerUrl } from "../fixtures/modes.js";
import {
  createPipeline,
  type Pipeline,
  produceInOrder,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

const RECORDS = 4;

/** Requests the server answered while `work` ran, per kind, divided by the records it handled. */
async function requestsPerRecord(metricsUrl: string, records: number, work: () => Promise<void>) {
  const before = await scrapeResonateRequests(metricsUrl);
  await work();
  const after = await scrapeResonateRequests(metricsUrl);
  const perKind = new Map<string, number>();
  for (const [kind, count] of after) {
    const delta = count - (before.get(kind) ?? 0);
    if (delta > 0) perKind.set(kind, delta / records);
  }
  const total = [...perKind.values()].reduce((a, b) => a + b, 0);
  return { total, fence: perKind.get("task.fence") ?? 0, perKind: Object.fromEntries(perKind) };
}

async function deleteRecords(pipeline: Pipeline, ids: string[], batches: number) {
  await produceInOrder(
    pipeline.brokers,
    pipeline.input,
    ids.map((id) => ({ key: id, value: requestJson(id) })),
  );
  const completions = (await readCompletionsOf(pipeline, ids, 180_000)).filter((c) =>
    ids.includes(c.recordId),
  );
  expect(completions.map((c) => c.batches)).toEqual(ids.map(() => batches));
}

describe.each(["throttle", "durable"])("server requests per record, --batch-pause %s", (batchPause) => {
  // Counted on the server, so a server another process also uses (RESONATE_URL) cannot be measured.
  it.skipIf(!resonateServerUrl || !resonateMetricsUrl)(
    needsServer(
      "grow linearly with the record's batches: no more than 8 per batch, task.fence not quadratic",
    ),
    async () => {
      const metricsUrl = resonateMetricsUrl as string;
      const pipeline = await createPipeline(inject("kafkaBrokers"), 2);
      const short = Array.from({ length: RECORDS }, (_, i) => pipeline.id(`five-${i}`));
      const long = Array.from({ length: RECORDS }, (_, i) => pipeline.id(`twenty-${i}`));
      await startWorker(
        pipeline,
        {
          BATCH_PAUSE: batchPause,
          BATCH_SLEEP_MS: "50",
          SIM_TRANSIENT_ERROR_RATE: "0",
          SIM_FIXED_BATCHES: [...short.map((id) => `${id}=5`), ...long.map((id) => `${id}=20`)].join(","),
        },
        { resonateUrl: resonateServerUrl },
      );

      const five = await requestsPerRecord(metricsUrl, RECORDS, () => deleteRecords(pipeline, short, 5));
      const twenty = await requestsPerRecord(metricsUrl, RECORDS, () => deleteRecords(pipeline, long, 20));
      console.log(
        `[server-cost ${batchPause}] requests per record: 5 batches ${JSON.stringify(five.perKind)}; 20 batches ${JSON.stringify(twenty.perKind)}`,
      );

      // 15 more batches may cost at most 8 requests each; the slack covers the worker's own
      // periodic requests (a readiness probe every 5 s) spread over the records.
      expect(twenty.total - five.total).toBeLessThanOrEqual(8 * 15 + 5);
      // The old shape fenced b²/2 + 5b/2 + 1 times: 251 at 20 batches. Linear: a few per batch.
      expect(twenty.fence).toBeLessThanOrEqual(3 * 20 + 5);
      expect(twenty.fence - five.fence).toBeLessThanOrEqual(3 * 15 + 2);
    },
  );
});

describe("server requests to start a record", () => {
  it.skipIf(!resonateServerUrl || !resonateMetricsUrl)(
    needsServer("a new record costs one task.create and one listener, and no lookup first"),
    async () => {
      const metricsUrl = resonateMetricsUrl as string;
      const records = 40;
      const pipeline = await createPipeline(inject("kafkaBrokers"), 2);
      const ids = Array.from({ length: records }, (_, i) => pipeline.id(`new-${i}`));
      await startWorker(
        pipeline,
        {
          BATCH_SLEEP_MS: "50",
          SIM_TRANSIENT_ERROR_RATE: "0",
          SIM_FIXED_BATCHES: ids.map((id) => `${id}=1`).join(","),
        },
        { resonateUrl: resonateServerUrl },
      );
      const cost = await requestsPerRecord(metricsUrl, records, () => deleteRecords(pipeline, ids, 1));
      console.log(`[server-cost start] requests per record of one batch: ${JSON.stringify(cost.perKind)}`);
      expect(cost.perKind["task.create"]).toBe(1);
      // Looking the record up before starting it cost one promise.get per record; what is left is
      // the worker's readiness probe (one lookup every 5 s), spread over the records.
      expect(cost.perKind["promise.get"] ?? 0).toBeLessThan(0.25);
      expect(cost.perKind["promise.register_listener"]).toBeLessThanOrEqual(1);
    },
  );
});
