#!/usr/bin/env node
// End-to-end throughput of one worker process with the in-process Resonate network: N requests
// already on the topic, every deletion a single batch with no sleep, so the figure is what
// consuming, starting workflows, running them and publishing completions costs per record.
// Against a real broker: KAFKA_BROKERS if set, else one started by the test kit.
// It also samples the worker's resident memory and JavaScript heap (its /metrics), and at the end
// has the worker write a heap snapshot, which runs a full garbage collection first: the heap used
// after it is what the worker still holds, so memory kept per completed record shows as growth
// with --count. (The snapshot goes to a temporary directory and is deleted.)
// Usage: pnpm bench dispatch [--count 5000]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { LOG_EVENTS } from "@deletion/contracts";
import {
  createIdempotentProducer,
  createKafka,
  ensureTopics,
  produceDeletionRequests,
} from "@deletion/kafka";
import { startBroker, uniqueName } from "@deletion/test-kit";
import { benchCli } from "../harness/args.ts";
import { WORKER_MAIN } from "../harness/paths.ts";
import { exited, type LogLine } from "../harness/process.ts";

const USAGE = `Usage: pnpm bench dispatch [--count N]

  --count N   requests through one worker with the in-process network (default 5000)
  --help      this text`;
const cli = benchCli("dispatch", USAGE, { count: { type: "string", default: "5000" } });
const count = cli.integer("count");

const broker = await startBroker();
const kafka = createKafka({ brokers: broker.bootstrapServers, clientId: "dispatch-bench" });
const base = uniqueName("bench");
const topics = { input: `${base}.requests`, output: `${base}.completions`, dlq: `${base}.dlq` };
const admin = kafka.admin();
await admin.connect();
await ensureTopics(
  admin,
  Object.values(topics).map((name) => ({ name, partitions: 3, replicationFactor: 1 })),
  30_000,
);
await admin.disconnect();
const producer = createIdempotentProducer(kafka);
await producer.connect();
await produceDeletionRequests(producer, { topic: topics.input, count, idPrefix: base });
await producer.disconnect();

const snapshotDir = mkdtempSync(join(tmpdir(), "dispatch-bench-"));
const mainPath = WORKER_MAIN;
const worker = spawn(process.execPath, ["--heapsnapshot-signal=SIGUSR2", mainPath], {
  cwd: snapshotDir,
  env: {
    ...process.env,
    KAFKA_BROKERS: broker.bootstrapServers,
    INPUT_TOPIC: topics.input,
    OUTPUT_TOPIC: topics.output,
    DEAD_LETTER_TOPIC: topics.dlq,
    KAFKA_GROUP_ID: `${base}.workers`,
    RESONATE_URL: "",
    HTTP_PORT: "0",
    BATCH_SLEEP_MS: "0",
    SIM_TRANSIENT_ERROR_RATE: "0",
    SIM_FINISH_RATE: "1",
    MAX_IN_FLIGHT: "2000",
    MAX_RUNNING: "2000",
    LOG_LEVEL: "info",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
let firstDispatch = 0;
let completed = 0;
const finished = Promise.withResolvers<number>();
const memory = { peak: 0, last: 0, heapPeak: 0, heapLast: 0 };
let sampler: NodeJS.Timeout | undefined;
let metricsPort: number | undefined;
const sampleMemory = async (port: number | undefined) => {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const bytes = Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1] ?? 0);
    memory.last = bytes;
    memory.peak = Math.max(memory.peak, bytes);
    const heap = Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? 0);
    memory.heapLast = heap;
    memory.heapPeak = Math.max(memory.heapPeak, heap);
  } catch {
    // the worker may be exiting
  }
};
createInterface({ input: worker.stdout }).on("line", (line) => {
  let event: LogLine;
  try {
    event = JSON.parse(line) as LogLine;
  } catch {
    return; // not a log line
  }
  if (event.event === LOG_EVENTS.http) {
    metricsPort = Number(event.port);
    sampler = setInterval(() => void sampleMemory(metricsPort), 500);
  }
  if (event.event === LOG_EVENTS.dispatched && firstDispatch === 0) firstDispatch = performance.now();
  if (event.event === LOG_EVENTS.completed && ++completed === count) finished.resolve(performance.now());
});
const timeout = setTimeout(
  () => finished.reject(new Error(`only ${completed} of ${count} completed in 10 min`)),
  600_000,
);
let exitCode = 0;
try {
  const end = await finished.promise;
  const seconds = (end - firstDispatch) / 1000;
  const rate = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }).format(count / seconds);
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
  clearInterval(sampler);
  const retained = await heapAfterFullGc();
  console.log(
    `dispatch bench (${broker.kind} broker, 3 partitions, in-process Resonate): ${count} records, first dispatch to last completion ${seconds.toFixed(2)} s: ${rate} records/s; worker resident memory peak ${mib(memory.peak)}; JavaScript heap used peak ${mib(memory.heapPeak)}, after a full garbage collection at the end ${mib(retained)}`,
  );
} catch (error) {
  console.error(`dispatch: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  clearTimeout(timeout);
  clearInterval(sampler);
  worker.kill("SIGTERM");
  await exited(worker);
  await broker.stop();
  rmSync(snapshotDir, { recursive: true, force: true });
}
process.exit(exitCode);

/** Has the worker write a heap snapshot (a full GC comes first), then reads its heap used. */
async function heapAfterFullGc(): Promise<number> {
  worker.kill("SIGUSR2");
  let lastSize = -1;
  for (let i = 0; i < 600; i++) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const file = readdirSync(snapshotDir).find((name) => name.endsWith(".heapsnapshot"));
    if (!file) continue;
    const size = statSync(join(snapshotDir, file)).size;
    if (size > 0 && size === lastSize) break;
    lastSize = size;
  }
  await sampleMemory(metricsPort);
  return memory.heapLast;
}
