#!/usr/bin/env node
// The pattern of the Resonate Kafka examples, for comparison with the worker: inside eachMessage,
// one awaited beginRun per message, so the next message is read only once the previous workflow's
// promise exists. Same workflow, same simulated store, same server as the worker. Offsets are
// committed automatically, as in those examples. Configured through the environment by
// server-cost.mjs; runs until killed.
import { decodeDeletionRequested } from "@deletion/contracts";
import { createKafka } from "@deletion/kafka";
import { SimulatedRecordStore } from "@deletion/record-store";
import { createResonateClient } from "@deletion/resonate-client";
import {
  BatchPauseModeSchema,
  PromiseIds,
  registerDeletionWorkflow,
  type WorkflowShapeOptions,
  workflowShape,
} from "@deletion/workflows";

/**
 * The name the deletion workflow is registered under (packages/workflows/src/deletion-workflow.ts,
 * not exported): beginRun here starts it the way the Resonate examples do, by name.
 */
const DELETION_WORKFLOW_NAME = "deleteRecord";

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`naive-consumer: ${name} is not set`);
  return value;
};
const client = createResonateClient({
  url: env.RESONATE_URL,
  group: required("RESONATE_GROUP"),
  pid: `naive-${process.pid}`,
  ttlMs: 30_000,
  logLevel: "error",
});
const shape: WorkflowShapeOptions = {
  batchPause: BatchPauseModeSchema.parse(env.BATCH_PAUSE ?? "throttle"),
  segmentGroup: required("RESONATE_GROUP"),
};
registerDeletionWorkflow(client.resonate, {
  store: new SimulatedRecordStore({
    seed: Number(env.SIM_SEED ?? 1),
    transientErrorRate: Number(env.SIM_TRANSIENT_ERROR_RATE ?? 0.25),
    finishRate: Number(env.SIM_FINISH_RATE ?? 0.25),
  }),
  publisher: { publishCompleted: async () => {}, publishFailed: async () => {} },
  shape,
});
const ids = new PromiseIds();
const batchSleepMs = Number(env.BATCH_SLEEP_MS ?? 5000);

const consumer = createKafka({ brokers: required("KAFKA_BROKERS"), clientId: "naive-consumer" }).consumer({
  kafkaJS: { groupId: required("KAFKA_GROUP_ID"), fromBeginning: true },
});
await consumer.connect();
await consumer.subscribe({ topics: [required("INPUT_TOPIC")] });
await consumer.run({
  eachMessage: async ({ topic, partition, message }) => {
    const decoded = decodeDeletionRequested(message.value, { fallbackRequestedAt: new Date() });
    if (!decoded.ok) return;
    const { recordId, requestedAt } = decoded.value.request;
    await client.resonate.beginRun(ids.of(recordId, 1), DELETION_WORKFLOW_NAME, {
      recordId,
      attempt: 1,
      requestedAt,
      source: { topic, partition, offset: message.offset },
      batchSleepMs,
      shape: workflowShape(shape),
    });
  },
});
console.error("naive consumer running");
