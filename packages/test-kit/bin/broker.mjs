#!/usr/bin/env node
// Starts a Kafka-API broker for local runs (`pnpm broker`) and keeps it up until Ctrl-C.
// Uses the built package, so run `pnpm --filter @deletion/test-kit build` first.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const DEFAULT_PORT = 19092;
const USAGE = `Usage: pnpm broker [--port N] [--kafka | --redpanda] [--data-dir DIR]

Starts a Kafka-API broker on 127.0.0.1 and prints KAFKA_BROKERS=... for other shells.
Redpanda in Docker when a Docker engine answers, else Apache Kafka from the jars cached by
\`pnpm broker:provision\`. Runs until Ctrl-C, then stops the broker and deletes its data
(unless --data-dir keeps it).

  --port N     Kafka API port on 127.0.0.1 (default ${DEFAULT_PORT}, what \`pnpm dev\` expects)
  --data-dir D keep the broker's data in D across restarts (the local Apache Kafka only)
  --kafka      always use the local Apache Kafka, even when Docker is available
  --redpanda   always use Redpanda in Docker
  --help       show this text`;

function parseArgs(argv) {
  const opts = { port: DEFAULT_PORT, kind: undefined, help: false, dataDir: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") opts.help = true;
    else if (arg === "--kafka") opts.kind = "kafka";
    else if (arg === "--redpanda") opts.kind = "redpanda";
    else if (arg === "--data-dir" || arg.startsWith("--data-dir=")) {
      const value = arg === "--data-dir" ? argv[++i] : arg.slice("--data-dir=".length);
      if (!value) throw new Error("--data-dir needs a folder");
      opts.dataDir = value;
      opts.kind = "kafka";
    } else if (arg === "--port" || arg.startsWith("--port=")) {
      const value = arg === "--port" ? argv[++i] : arg.slice("--port=".length);
      const port = Number(value);
      if (!Number.isInteger(port) || port < 1 || port > 65535)
        throw new Error(`--port needs a port number, got ${value}`);
      opts.port = port;
    } else throw new Error(`unknown argument: ${arg}`);
  }
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (process.env.KAFKA_BROKERS) {
    console.error(
      `KAFKA_BROKERS is already set (${process.env.KAFKA_BROKERS}); not starting another broker.`,
    );
    console.error("Unset it to start one here.");
    return 1;
  }
  const dist = fileURLToPath(new URL("../dist/start-broker.js", import.meta.url));
  if (!existsSync(dist)) {
    console.error(`${dist} is missing: build first with \`pnpm --filter @deletion/test-kit build\`.`);
    return 1;
  }
  const { startBroker } = await import(dist);

  const broker = await startBroker({
    port: opts.port,
    kind: opts.kind,
    ...(opts.dataDir ? { local: { dataDir: resolve(opts.dataDir) } } : {}),
  });
  console.log(`KAFKA_BROKERS=${broker.bootstrapServers}`);
  console.error(`${broker.kind} broker is up; Ctrl-C stops it.`);

  // The broker's process does not keep Node alive by itself.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise((resolve) => {
    let signals = 0;
    const onSignal = (signal) => {
      signals++;
      if (signals > 1) {
        // Second Ctrl-C: give up waiting; the exit hook still kills the broker.
        console.error(`${signal} again: exiting now`);
        process.exit(130);
      }
      console.error(`${signal}: stopping the broker...`);
      resolve();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  await broker.stop();
  clearInterval(keepAlive);
  console.error("stopped");
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`could not start a broker: ${err?.message ?? err}`);
    process.exitCode = 1;
  },
);
