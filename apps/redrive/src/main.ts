#!/usr/bin/env node
import {
  createLogger,
  handleShutdownSignals,
  kafkaSecurityOf,
  requestSignerOf,
  runCli,
} from "@deletion/cli-kit";
import { LOG_EVENTS } from "@deletion/contracts";
import {
  createKafka,
  listTopicsWithin,
  looksUnreachable,
  ProgressTicker,
  redriveDeadLetters,
  systemClock,
} from "@deletion/kafka";
import { type RedriveConfig, redriveCli } from "./config.js";
import { progressLine, summaryLine } from "./report.js";

/** Exit code after Ctrl-C, as shells report a SIGINT death. */
const EXIT_INTERRUPTED = 130;

async function main(config: RedriveConfig): Promise<number> {
  const log = createLogger({ name: "redrive", level: config.logLevel, pretty: config.pretty });
  const kafka = createKafka({
    brokers: config.brokers,
    clientId: "redrive",
    logger: log,
    security: kafkaSecurityOf(config),
  });
  const topics = { deadLetters: config.deadLetterTopic, requests: config.inputTopic };
  const abort = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  handleShutdownSignals({
    timeoutMs: 15_000,
    log: (message, fields) => log.warn(fields ?? {}, message),
    onShutdown: async () => {
      abort.abort();
      await running.catch(() => {});
    },
  });
  try {
    const existing = await listTopicsWithin(kafka, config.connectTimeoutMs);
    const missing = [config.deadLetterTopic, config.inputTopic].filter((t) => !existing.includes(t));
    if (missing.length > 0) {
      const message = `topic(s) ${missing.join(", ")} do not exist on Kafka at ${config.brokers}`;
      log.error({ brokers: config.brokers, missing }, message);
      process.stderr.write(`redrive: ${message}\n`);
      return 1;
    }
    log.info(
      { ...topics, reasons: [...config.reasons], dryRun: config.dryRun, fromBeginning: config.fromBeginning },
      `re-driving ${[...config.reasons].join(", ")} dead letters from ${config.deadLetterTopic} to ${config.inputTopic}${config.dryRun ? " (dry run)" : ""}`,
    );
    let ticker: ProgressTicker | undefined;
    const run = redriveDeadLetters(kafka, {
      deadLetterTopic: config.deadLetterTopic,
      requestTopic: config.inputTopic,
      groupId: config.groupId,
      reasons: config.reasons,
      dryRun: config.dryRun,
      fromBeginning: config.fromBeginning,
      connectTimeoutMs: config.connectTimeoutMs,
      timeoutMs: config.timeoutMs,
      logger: log,
      signer: requestSignerOf(config),
      signal: abort.signal,
      onProgress: (progress) => {
        ticker ??= new ProgressTicker({ total: progress.total, clock: systemClock, minTotal: 100 });
        if (ticker.update(progress.read)) process.stderr.write(`redrive: ${progressLine(progress)}\n`);
      },
    });
    running = run;
    const summary = await run;
    const line = summaryLine(summary, topics);
    const { recordIds, ...counts } = summary;
    (summary.complete ? log.info.bind(log) : log.warn.bind(log))(
      { event: LOG_EVENTS.redriveSummary, ...topics, ...counts, recordIdCount: recordIds.length },
      line,
    );
    process.stderr.write(`redrive: ${line}\n`);
    if (abort.signal.aborted) return EXIT_INTERRUPTED;
    return summary.complete ? 0 : 1;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = looksUnreachable(error) ? " (is a broker running and reachable there?)" : "";
    const message = `could not re-drive ${config.deadLetterTopic} on Kafka at ${config.brokers}: ${reason}${hint}`;
    log.error({ brokers: config.brokers, err: error }, message);
    process.stderr.write(`redrive: ${message}\n`);
    return 1;
  }
}

await runCli(redriveCli, main);
// A one-shot tool must not hang on librdkafka threads that outlive disconnect. Unref'd: a clean
// run ends sooner on its own.
setTimeout(() => process.exit(), 1_000).unref();
