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

/** Requests per record of each kind, less what the worker sends on its own (readiness probes). */
function protocolCost(perKind: Record<string, number>) {
  const { "promise.get": _probes, ...rest } = perKind;
  return { total: Object.values(rest).reduce((a, b) => a + b, 0), perKind: rest };
}

describe("server requests per record, --batch-pause throttle (the default)", () => {
  // Counted on the server, so a server another process also uses (RESONATE_URL) cannot be measured.
  it.skipIf(!resonateServerUrl || !resonateMetricsUrl)(
    needsServer(
      "4 for a record of one batch (task create and fulfil, one step), 2 for each further batch, no listener",
    ),
    async () => {
      const metricsUrl = resonateMetricsUrl as string;
      const pipeline = await createPipeline(inject("kafkaBrokers"), 2);
      const sizes = [1, 10, 100];
      const ids = new Map(
        sizes.map((n) => [n, Array.from({ length: RECORDS }, (_, i) => pipeline.id(`b${n}-${i}`))]),
      );
      await startWorker(
        pipeline,
        {
          BATCH_SLEEP_MS: "0",
          SIM_TRANSIENT_ERROR_RATE: "0",
          SIM_FIXED_BATCHES: sizes.flatMap((n) => (ids.get(n) ?? []).map((id) => `${id}=${n}`)).join(","),
        },
        { resonateUrl: resonateServerUrl },
      );
      const costs = new Map<number, ReturnType<typeof protocolCost>>();
      for (const n of sizes) {
        const measured = await requestsPerRecord(metricsUrl, RECORDS, () =>
          deleteRecords(pipeline, ids.get(n) ?? [], n),
        );
        costs.set(n, protocolCost(measured.perKind));
      }
      console.log(
        `[server-cost throttle] requests per record by batches: ${sizes.map((n) => `${n}: ${JSON.stringify(costs.get(n)?.perKind)}`).join("; ")}`,
      );
      const one = costs.get(1);
      expect(one?.perKind).toEqual({ "task.create": 1, "task.fence": 2, "task.fulfill": 1 });
      // Each further batch is one step: its promise created and settled. A hand-over to the next
      // segment (every 50 batches) costs a child's promise and task and the parent's suspend
      // and resume: 100 batches hand over once.
      expect(costs.get(10)?.total).toBeLessThanOrEqual(4 + 2 * 9);
      expect(costs.get(100)?.total).toBeLessThanOrEqual(4 + 2 * 99 + 8);
      // A record that ends in its first segment ends on this worker, which sees it end: no
      // listener. One that hands over is followed by listener, as its end may come elsewhere.
      expect(one?.perKind["promise.register_listener"]).toBeUndefined();
      expect(costs.get(10)?.perKind["promise.register_listener"]).toBeUndefined();
    },
  );
});

describe("server requests per record, --batch-pause durable", () => {
  it.skipIf(!resonateServerUrl || !resonateMetricsUrl)(
    needsServer("grow linearly with the record's batches: a timer, a step, a suspend and a resume per batch"),
    async () => {
      const metricsUrl = resonateMetricsUrl as string;
      const pipeline = await createPipeline(inject("kafkaBrokers"), 2);
      const short = Array.from({ length: RECORDS }, (_, i) => pipeline.id(`five-${i}`));
      const long = Array.from({ length: RECORDS }, (_, i) => pipeline.id(`twenty-${i}`));
      await startWorker(
        pipeline,
        {
          BATCH_PAUSE: "durable",
          BATCH_SLEEP_MS: "50",
          SIM_TRANSIENT_ERROR_RATE: "0",
          SIM_FIXED_BATCHES: [...short.map((id) => `${id}=5`), ...long.map((id) => `${id}=20`)].join(","),
        },
        { resonateUrl: resonateServerUrl },
      );

      const five = protocolCost(
        (await requestsPerRecord(metricsUrl, RECORDS, () => deleteRecords(pipeline, short, 5))).perKind,
      );
      const twenty = protocolCost(
        (await requestsPerRecord(metricsUrl, RECORDS, () => deleteRecords(pipeline, long, 20))).perKind,
      );
      console.log(
        `[server-cost durable] requests per record: 5 batches ${JSON.stringify(five.perKind)}; 20 batches ${JSON.stringify(twenty.perKind)}`,
      );
      // Each batch costs at most its timer, its step (create, settle), the suspend and the resume's
      // claim, on top of the record's task create, fulfil and listener. A timer that fires before its
      // suspend lands saves the claim, so only the bound per record is exact, not the difference.
      expect(five.total).toBeLessThanOrEqual(3 + 5 * 5);
      expect(twenty.total).toBeLessThanOrEqual(3 + 5 * 20);
      expect(twenty.total).toBeGreaterThan(five.total);
      expect(twenty.perKind["task.fence"] ?? 0).toBeLessThanOrEqual(3 * 20);
    },
  );
});

describe("server requests to start a record", () => {
  it.skipIf(!resonateServerUrl || !resonateMetricsUrl)(
    needsServer("a new record costs one task.create, no lookup first and no listener"),
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
      expect(cost.perKind["promise.register_listener"]).toBeUndefined();
    },
  );
});
