#!/usr/bin/env node
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  type ConfigOf,
  EXIT_USAGE,
  hardExit,
  kafkaSecurityEnv,
  kafkaSecurityOf,
  runCli,
} from "@deletion/cli-kit";
import { runDemo } from "@deletion/demo";
import { demoCli } from "./config.js";

const appMain = (app: string, bin: string) =>
  join(dirname(createRequire(import.meta.url).resolve(`@deletion/${app}/package.json`)), "bin", bin);
const workerMainPath = appMain("deletor-worker", "deletor-worker.mjs");

async function main(config: ConfigOf<typeof demoCli.options>): Promise<number> {
  if (config.workers > 1 && !config.resonateUrl) {
    process.stderr.write(
      "demo: --workers > 1 needs a Resonate server (--resonate-url / RESONATE_URL): without one each worker keeps its promises in its own memory and a record moved between workers would be deleted twice.\n",
    );
    return EXIT_USAGE;
  }
  const abort = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) hardExit(130);
    process.stderr.write("[demo] stopping (Ctrl-C again to exit at once)\n");
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const result = await runDemo({
    ...config,
    kafkaSecurity: { security: kafkaSecurityOf(config), workerEnv: kafkaSecurityEnv(config) },
    workerMainPath,
    console: config.console
      ? { mainPath: appMain("console", "console.mjs"), port: config.consolePort }
      : undefined,
    out: process.stdout,
    err: process.stderr,
    signal: abort.signal,
  });
  if (result.interrupted) return 130;
  return result.finished && result.summary.failed === 0 ? 0 : 1;
}

await runCli(demoCli, main);
// The Kafka client's threads may linger after disconnect; the run is over.
hardExit(typeof process.exitCode === "number" ? process.exitCode : 0);
