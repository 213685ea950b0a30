#!/usr/bin/env node
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import {
  createLogger,
  EXIT_USAGE,
  kafkaSecurityOf,
  requestSignerOf,
  resonateSecurityOf,
  runCli,
} from "@deletion/cli-kit";
import {
  BulkIdSchema,
  bulkRequestsOf,
  encodeBulkDeletionRequested,
  RecordIdSchema,
} from "@deletion/contracts";
import {
  type BulkStatus,
  bulkProgressLine,
  describeBulkStatus,
  httpStatusSource,
  readBulkStatus,
} from "@deletion/deletion-status";
import { createIdempotentProducer, createKafka, withTimeout } from "@deletion/kafka";
import { createPayloadCipher, serverRequests } from "@deletion/resonate-client";
import { BulkIds, requestBulkCancel } from "@deletion/workflows";
import { type BulkConfig, bulkCli, takeCommand } from "./config.js";

const { positionals, rest } = takeCommand(process.argv.slice(2));

function usage(message: string): number {
  process.stderr.write(`bulk: ${message}\nRun 'bulk --help' for usage.\n`);
  return EXIT_USAGE;
}

async function main(config: BulkConfig): Promise<number> {
  const [command, argument, ...extra] = positionals;
  if (extra.length > 0) return usage(`unexpected arguments: ${extra.join(" ")}`);
  if (command === "submit")
    return argument === undefined ? submit(config) : usage("submit takes no argument");
  if (command === "cancel") {
    const bulkId = BulkIdSchema.safeParse(argument);
    return bulkId.success ? cancel(config, bulkId.data) : usage("cancel needs a bulkId");
  }
  return usage(command === undefined ? "name a command: submit or cancel" : `unknown command "${command}"`);
}

async function submit(config: BulkConfig): Promise<number> {
  if ((config.selector === undefined) === (config.idsFile === undefined)) {
    return usage("give either --selector (with --param) or --ids-file");
  }
  const bulkId = config.bulkId ?? `bulk-${randomBytes(4).toString("hex")}`;
  if (!BulkIdSchema.safeParse(bulkId).success) return usage(`--bulk-id "${bulkId}" is not a valid id`);
  let ids: string[] | undefined;
  if (config.idsFile !== undefined) {
    const lines = (await readFile(config.idsFile, "utf8")).split("\n").map((l) => l.trim());
    ids = lines.filter((l) => l !== "" && !l.startsWith("#"));
    const bad = ids.find((id) => !RecordIdSchema.safeParse(id).success);
    if (bad !== undefined) return usage(`--ids-file: "${bad}" is not a record id`);
    if (ids.length === 0) return usage("--ids-file lists no record id");
  }
  const requests = bulkRequestsOf({
    bulkId,
    requestedAt: new Date().toISOString(),
    selector: config.selector,
    params: config.selector !== undefined ? config.params : undefined,
    ids,
  });
  const log = createLogger({ name: "bulk", level: config.logLevel, pretty: config.pretty });
  const kafka = createKafka({
    brokers: config.brokers,
    clientId: "bulk",
    logger: log,
    security: kafkaSecurityOf(config),
  });
  const producer = createIdempotentProducer(kafka);
  const signer = requestSignerOf(config);
  try {
    await withTimeout(
      `connecting to Kafka at ${config.brokers}`,
      config.connectTimeoutMs,
      producer.connect(),
    );
    await producer.send({
      topic: config.bulkTopic,
      messages: requests.map((request) => {
        const value = encodeBulkDeletionRequested(request);
        // Signed with the bulk domain: workers that require signatures check it before anything else.
        return {
          key: request.bulkId,
          value,
          ...(signer ? { headers: signer.headersFor(request.bulkId, value, "bulk") } : {}),
        };
      }),
    });
  } catch (error) {
    process.stderr.write(
      `bulk: could not publish to ${config.bulkTopic}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    await producer.disconnect().catch(() => {});
  }
  for (const request of requests) process.stdout.write(`submitted bulk ${request.bulkId}\n`);
  if (!config.wait) return 0;
  let code = 0;
  for (const request of requests) code = Math.max(code, await follow(config, request.bulkId));
  return code;
}

/** Reads the bulk's status until it ends, drawing the progress bar on stderr; the end on stdout. */
async function follow(config: BulkConfig, bulkId: string): Promise<number> {
  const { token, payloads } = resonateSecurityOf(config);
  const source = httpStatusSource(config.resonateUrl, {
    token,
    payloads: createPayloadCipher({ ...payloads, mode: "none" }),
  });
  const ids = new BulkIds(config.promisePrefix);
  const live = process.stderr.isTTY === true;
  let status: BulkStatus;
  for (;;) {
    status = await readBulkStatus(bulkId, { source, ids });
    if (status.state !== "running" && status.state !== "unknown" && status.state !== "unreachable") break;
    const line =
      status.state === "running"
        ? bulkProgressLine(status)
        : status.state === "unknown"
          ? `bulk ${bulkId}: submitted, waiting for a worker to start it`
          : describeBulkStatus(status).join(" ");
    process.stderr.write(live ? `\r${line}\u001b[K` : `${line}\n`);
    await new Promise((resolve) => setTimeout(resolve, config.pollMs));
  }
  if (live) process.stderr.write(`\r${bulkProgressLine(status)}\u001b[K\n`);
  process.stdout.write(`${describeBulkStatus(status).join("\n")}\n`);
  return status.state === "failed" ? 1 : 0;
}

async function cancel(config: BulkConfig, bulkId: string): Promise<number> {
  const { token } = resonateSecurityOf(config);
  const send = serverRequests(config.resonateUrl.replace(/\/+$/, ""), { token });
  try {
    const result = await requestBulkCancel(send, new BulkIds(config.promisePrefix), bulkId, config.restore);
    if (!result.ok) {
      process.stderr.write(`bulk: cancel of ${bulkId} refused: ${result.reason}\n`);
      return 1;
    }
    process.stdout.write(
      `cancel requested for bulk ${bulkId}${config.restore ? " (restoring what it never requested)" : ""}: no further pages are published; records already requested finish\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(
      `bulk: the Resonate server at ${config.resonateUrl} is unreachable: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

await runCli(bulkCli, main, rest);
