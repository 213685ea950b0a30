#!/usr/bin/env node
// Throughput of the producer's code path (produceDeletionRequests through an idempotent
// producer) against a real broker: KAFKA_BROKERS if set, else one started by the test kit.
// Usage: pnpm bench [-- --count 100000 --runs 3 --partitions 3]
import { parseArgs } from "node:util";
import { createLogger } from "@deletion/cli-kit";
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  produceDeletionRequests,
  withTimeout,
} from "@deletion/kafka";
import { startBroker, uniqueName } from "@deletion/test-kit";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "100000" },
    runs: { type: "string", default: "3" },
    partitions: { type: "string", default: "3" },
  },
});
const count = Number(values.count);
const runs = Number(values.runs);
const partitions = Number(values.partitions);
for (const [name, n] of Object.entries({ count, runs, partitions })) {
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --${name} must be a positive integer`);
    process.exit(2);
  }
}

const broker = await startBroker();
// Only errors: the client's start-up retries (producer id while the broker warms up) are noise here.
const logger = createLogger({ name: "producer-bench", level: "error" });
const kafka = createKafka({ brokers: broker.bootstrapServers, clientId: "producer-bench", logger });
const admin = kafka.admin();
const producer = createIdempotentProducer(kafka);
const topic = uniqueName("bench-requests");
const rate = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
let exitCode = 0;
try {
  await admin.connect();
  await ensureTopics(admin, [{ name: topic, partitions, replicationFactor: 1 }], 30_000);
  await withTimeout("connecting the producer", 30_000, producer.connect());
  // Warm-up, not measured: producer id, metadata, and JIT on both sides (a fresh broker is
  // markedly slower for its first few hundred thousand records).
  await produceDeletionRequests(producer, { topic, count: Math.max(count, 10_000), idPrefix: "warmup" });
  let produced = Math.max(count, 10_000);

  // Both code paths: whole chunks per send (the default), and one send per record, which the
  // CLI's -v uses to report every record's partition and offset (logging them not included).
  const modes = [
    ["batched", undefined],
    ["per-record reports", () => {}],
  ];
  const medians = [];
  for (const [mode, onDelivered] of modes) {
    const results = [];
    for (let run = 1; run <= runs; run++) {
      const summary = await produceDeletionRequests(producer, {
        topic,
        count,
        idPrefix: `bench-${mode.replace(/\W+/g, "")}${run}`,
        onDelivered,
      });
      produced += summary.produced;
      results.push(summary.messagesPerSecond);
      console.log(
        `${mode} run ${run}: ${summary.produced} records in ${(summary.elapsedMs / 1000).toFixed(2)} s = ${rate.format(summary.messagesPerSecond)} records/s`,
      );
    }
    medians.push(`${mode}: median ${rate.format(median(results))} records/s`);
  }
  const offsets = await admin.fetchTopicOffsets(topic);
  const written = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  if (written !== produced) {
    console.error(`bench: the topic holds ${written} records, expected ${produced}`);
    exitCode = 1;
  }
  console.log(
    `producer bench (${broker.kind} broker, ${partitions} partitions, ${count} records x ${runs} runs): ${medians.join("; ")}`,
  );
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await producer.disconnect().catch(() => {});
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect().catch(() => {});
  await broker.stop();
}
process.exit(exitCode);

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
