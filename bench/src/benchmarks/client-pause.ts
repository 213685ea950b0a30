#!/usr/bin/env node
// Does the Kafka client's pause()/resume() lose messages? A consumer takes messages up to 20 "in
// flight" (each done after a random 0-30 ms), pauses at 20 and resumes at 10, and counts which
// offsets it got, per partition, against the topic's end:
//
//   pause       pause() every assigned partition at the bound, resume() them below it;
//   pause-seek  what the worker does (packages/deletor/src/partition-gate.ts): pause a partition
//               when a message arrives for it at the bound, refuse that message, and on resume
//               seek the partition to it before resume().
//
// Against KAFKA_BROKERS if set, else a broker the test kit starts.
// Usage: pnpm bench client-pause [--count 8000] [--mode pause|pause-seek|both]
import { createIdempotentProducer, createKafka, ensureTopics } from "@deletion/kafka";
import { startBroker, uniqueName } from "@deletion/test-kit";
import { benchCli } from "../harness/args.ts";

const USAGE = `Usage: pnpm bench client-pause [--count N] [--mode pause|pause-seek|both]

  --count N   messages on the topic (default 8000)
  --mode M    pause: the client's pause() and resume(); pause-seek: the worker's pattern; both
              (default)
  --help      this text`;
const cli = benchCli("client-pause", USAGE, {
  count: { type: "string", default: "8000" },
  mode: { type: "string", default: "both" },
});
const count = cli.integer("count");
type Mode = "pause" | "pause-seek";
const modes: Mode[] =
  cli.values.mode === "both" ? ["pause", "pause-seek"] : cli.oneOf<Mode>("mode", ["pause", "pause-seek"]);

const BOUND = 20;
const broker = await startBroker();
const kafka = createKafka({ brokers: broker.bootstrapServers, clientId: "client-pause" });
try {
  for (const mode of modes) console.log(await run(mode));
} finally {
  await broker.stop();
}
process.exit(0);

async function run(mode: Mode): Promise<string> {
  const topic = uniqueName(`client-${mode}`);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [{ name: topic, partitions: 3, replicationFactor: 1 }], 30_000);
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  for (let i = 0; i < count; i += 500) {
    const messages = Array.from({ length: Math.min(500, count - i) }, (_, j) => ({
      key: `k${i + j}`,
      value: "x",
    }));
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
  const high = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  await admin.disconnect();

  const consumer = kafka.consumer({
    kafkaJS: { groupId: `${topic}.group`, fromBeginning: true, autoCommit: false },
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  const taken = new Map([...high.keys()].map((p) => [p, new Set<number>()]));
  const resumeAt = new Map<number, number>(); // pause-seek: partition -> offset of its first refused message
  let inFlight = 0;
  let atBound = false;
  let pauses = 0;
  let lastDelivery = Date.now();
  const close = () => {
    atBound = true;
    pauses++;
    if (mode === "pause") consumer.pause([{ topic }]);
  };
  const open = () => {
    atBound = false;
    if (mode === "pause") return consumer.resume([{ topic }]);
    for (const [partition, offset] of resumeAt) consumer.seek({ topic, partition, offset: String(offset) });
    if (resumeAt.size > 0) consumer.resume([{ topic, partitions: [...resumeAt.keys()] }]);
    resumeAt.clear();
  };
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      lastDelivery = Date.now();
      const offset = Number(message.offset);
      if (mode === "pause-seek" && (atBound || resumeAt.has(partition))) {
        if (!resumeAt.has(partition)) {
          resumeAt.set(partition, offset);
          consumer.pause([{ topic, partitions: [partition] }]);
        }
        return;
      }
      taken.get(partition)?.add(offset);
      inFlight++;
      setTimeout(() => {
        if (--inFlight <= BOUND / 2 && atBound) open();
      }, Math.random() * 30);
      if (inFlight >= BOUND && !atBound) close();
    },
  });
  while (Date.now() - lastDelivery < 8_000) await new Promise((resolve) => setTimeout(resolve, 500));
  await consumer.disconnect();

  let missing = 0;
  const perPartition = [];
  for (const [partition, end] of high) {
    const offsets = taken.get(partition) ?? new Set<number>();
    missing += end - offsets.size;
    perPartition.push(`partition ${partition}: ${offsets.size} of ${end}`);
  }
  return `${mode}: ${count - missing} of ${count} messages delivered, ${missing} never, ${pauses} pauses (${perPartition.join(", ")})`;
}
