import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  createPipeline,
  httpPort,
  produceInOrder,
  readCompletions,
  requestJson,
  scrapeMetrics,
  startWorker,
} from "../fixtures/pipeline.js";
import { readTopic, runApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

describe("worker health and metrics", () => {
  it("/readyz is 503 before the consumer is assigned and 200 after; /healthz is 200 throughout", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const worker = await startWorker(pipeline, {}, { waitForAssignment: false });
    const port = await httpPort(worker);

    // The HTTP server starts before the consumer joins its group.
    const early = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(early.status).toBe(503);
    expect(await early.json()).toMatchObject({ ready: false, groupJoined: false });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    await worker.waitForLog((l) => l.event === LOG_EVENTS.assigned);
    const late = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({
      ready: true,
      groupJoined: true,
      assignedPartitions: 1,
      durability: "in-process",
      resonateReachable: true,
    });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
  });

  it("/metrics counts what was produced, dispatched, dead-lettered and completed", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 2);
    const worker = await startWorker(pipeline, { BATCH_SLEEP_MS: "100", SIM_SEED: "8" });
    const port = await httpPort(worker);
    const good = Array.from({ length: 30 }, (_, i) => pipeline.id(`m-${i}`));
    await produceInOrder(brokers, pipeline.input, [
      ...good.map((id) => ({ key: id, value: requestJson(id) })),
      { key: "bad-1", value: "not json" },
      { key: "bad-2", value: null },
      { key: "bad-3", value: "[]" },
      { key: good[0] ?? "", value: requestJson(good[0] ?? "") }, // a duplicate request
    ]);

    await readCompletions(pipeline, good.length);
    await readTopic(brokers, pipeline.deadLetters, { expected: 3 });
    // Completions reach the topic a moment before the worker counts the workflow as finished.
    let metrics = await scrapeMetrics(port);
    for (let i = 0; i < 50 && metrics.get("deletor_workflows_completed_total") !== 31; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      metrics = await scrapeMetrics(port);
    }

    expect(metrics.get("deletor_messages_consumed_total")).toBe(34);
    expect(metrics.get("deletor_messages_dispatched_total")).toBe(31);
    expect(metrics.get("deletor_messages_dead_lettered_total")).toBe(3);
    expect(metrics.get('deletor_messages_dead_lettered_total{reason="INVALID_JSON"}')).toBe(1);
    expect(metrics.get('deletor_messages_dead_lettered_total{reason="EMPTY_VALUE"}')).toBe(1);
    expect(metrics.get('deletor_messages_dead_lettered_total{reason="SCHEMA_VIOLATION"}')).toBe(1);
    expect(metrics.get("deletor_duplicates_total")).toBe(1);
    // 30 workflows; the duplicate's handle is the same execution and finishes with it
    expect(metrics.get('deletor_workflows_completed_total{status="completed"}')).toBe(31);
    expect(metrics.get("deletor_in_flight")).toBe(0);
    expect(metrics.get("deletor_dispatch_latency_seconds_count")).toBe(31);
  });

  it("/status answers only with the bearer token; /healthz, /readyz and /metrics stay open and name no record", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const token = "integration-status-token-0123456789abcdef";
    const worker = await startWorker(pipeline, { BATCH_SLEEP_MS: "100", SIM_SEED: "5", STATUS_TOKEN: token });
    const port = await httpPort(worker);
    const id = pipeline.id("http-auth");
    await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
    await readCompletions(pipeline, 1);

    const url = `http://127.0.0.1:${port}/status/${encodeURIComponent(id)}`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain(id);
    expect((await fetch(url, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    const allowed = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ state: "done" });

    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.text(), path).not.toContain(id);
    }
  });

  it("/status is off without a status token, and a weak one is refused at start naming the variable", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const worker = await startWorker(pipeline);
    const port = await httpPort(worker);
    expect((await fetch(`http://127.0.0.1:${port}/status/anything`)).status).toBe(404);
    const weak = await runApp("deletor-worker", [], { STATUS_TOKEN: "replace-me", HTTP_PORT: "0" });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/STATUS_TOKEN/);
    expect(weak.stderr).not.toContain("replace-me");
  });
});
