import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createLogger,
  handleShutdownSignals,
  kafkaSecurityOf,
  requestSignerOf,
  resonateSecurityOf,
  runCli,
} from "@deletion/cli-kit";
import { startConsole } from "@deletion/console-server";
import { httpStatusSource } from "@deletion/deletion-status";
import { createKafka, looksUnreachable } from "@deletion/kafka";
import { createPayloadCipher, serverRequests } from "@deletion/resonate-client";
import { BulkIds, PromiseIds, requestBulkCancel } from "@deletion/workflows";
import { type ConsoleConfig, consoleCli } from "./config.js";
import { consoleTokenOf } from "./console-token.js";

async function main(config: ConsoleConfig): Promise<number> {
  const log = createLogger({ name: "console", level: config.logLevel, pretty: config.pretty });
  const kafka = createKafka({
    brokers: config.brokers,
    clientId: "console",
    logger: log,
    security: kafkaSecurityOf(config),
  });
  // Reads only: the keys open encrypted payloads, nothing is written to the server.
  const { token, payloads, promiseIdKey } = resonateSecurityOf(config);
  const assetsDir = dirname(fileURLToPath(import.meta.resolve("@deletion/console-web/assets")));
  const bulkIds = new BulkIds(config.promisePrefix);
  const send = serverRequests(config.resonateUrl.replace(/\/+$/, ""), { token });
  let running: Awaited<ReturnType<typeof startConsole>>;
  try {
    running = await startConsole({
      kafka,
      logger: log,
      host: config.host,
      port: config.port,
      token: consoleTokenOf(config),
      assetsDir,
      topics: {
        requests: config.inputTopic,
        completions: config.outputTopic,
        deadLetters: config.deadLetterTopic,
      },
      workerGroupId: config.groupId,
      redriveGroupId: config.redriveGroupId,
      workerUrls: config.workerUrls,
      status: {
        ids: new PromiseIds(config.promisePrefix, { idKey: promiseIdKey }),
        source: httpStatusSource(config.resonateUrl, {
          token,
          payloads: createPayloadCipher({ ...payloads, mode: "none" }),
        }),
      },
      pollIntervalMs: config.pollIntervalMs,
      connectTimeoutMs: config.connectTimeoutMs,
      redriveTimeoutMs: config.redriveTimeoutMs,
      sessionTtlMs: config.sessionHours * 3_600_000,
      signer: requestSignerOf(config),
      bulk: {
        requestTopic: config.bulkTopic,
        completionTopic: config.bulkCompletionTopic,
        ids: bulkIds,
        cancel: (bulkId, restore) => requestBulkCancel(send, bulkIds, bulkId, restore),
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint = looksUnreachable(error) ? ` (is a broker running at ${config.brokers}?)` : "";
    log.error({ err: error }, `could not start the console: ${reason}${hint}`);
    process.stderr.write(`console: could not start: ${reason}${hint}\n`);
    return 1;
  }
  log.info(
    { event: "console.listening", host: config.host, port: running.port, url: running.url },
    `console listening on ${running.url}`,
  );
  const stopped = Promise.withResolvers<void>();
  handleShutdownSignals({
    timeoutMs: 15_000,
    log: (message, fields) => log.warn(fields ?? {}, message),
    onShutdown: async () => {
      await running.stop();
      stopped.resolve();
    },
  });
  await stopped.promise;
  return 0;
}

await runCli(consoleCli, main);
// librdkafka threads can outlive disconnect; once main has returned nothing is left to do.
setTimeout(() => process.exit(), 1_000).unref();
