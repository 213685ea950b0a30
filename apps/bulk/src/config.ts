import {
  brokersOption,
  type CliSpec,
  type ConfigOf,
  connectTimeoutOption,
  kafkaSecurityCheck,
  kafkaSecurityOptions,
  loggingOptions,
  option,
  payloadKeyOptions,
  requestSigningCheck,
  requestSigningOptions,
  resonateSecurityCheck,
  resonateTokenOptions,
  splitPositionals,
} from "@deletion/cli-kit";
import { BULK_TOPICS, SelectorNameSchema } from "@deletion/contracts";
import { DEFAULT_PROMISE_PREFIX, PromisePrefixSchema } from "@deletion/workflows";
import { z } from "zod";

/** "tenant=acme,region=eu": a selector's parameters; values go to the database as parameters only. */
const params = z
  .string()
  .default("")
  .transform((text, ctx) => {
    const out: Record<string, string> = {};
    for (const pair of text
      .split(",")
      .map((p) => p.trim())
      .filter((p) => p !== "")) {
      const at = pair.indexOf("=");
      const name = pair.slice(0, at);
      if (at < 1 || !SelectorNameSchema.safeParse(name).success || at === pair.length - 1) {
        ctx.addIssue({ code: "custom", message: `"${pair}" is not name=value` });
        return z.NEVER;
      }
      out[name] = pair.slice(at + 1);
    }
    return out;
  });

export const bulkCli = {
  name: "bulk",
  summary:
    "bulk submit --selector <name> --param <name>=<value> [--wait] | bulk submit --ids-file <file> [--wait] | bulk cancel <bulkId> [--restore]. Deletes every record a configured selector matches (or every id of a file) with one request: the workers soft-delete the whole selection at once, then request and follow each record's deletion. --wait follows it to the end with a live progress bar; cancel stops it from requesting more records.",
  options: {
    brokers: brokersOption,
    ...kafkaSecurityOptions,
    ...requestSigningOptions,
    bulkTopic: option({
      flag: "bulk-topic",
      env: "BULK_TOPIC",
      description: "topic of bulk requests (the workers' --bulk-topic)",
      schema: z.string().min(1).default(BULK_TOPICS.requests),
    }),
    selector: option({
      flag: "selector",
      description: "submit: the selector's name, as the workers configure it (--selector on the worker)",
      schema: SelectorNameSchema.optional(),
    }),
    params: option({
      flag: "param",
      description: "submit: the selector's parameters, name=value[,name=value]",
      schema: params,
    }),
    idsFile: option({
      flag: "ids-file",
      description:
        "submit: a file of record ids, one a line, instead of a selector (published in chunks of 1,000)",
      schema: z.string().min(1).optional(),
    }),
    bulkId: option({
      flag: "bulk-id",
      env: "BULK_ID",
      description:
        "submit: the bulk's idempotency key (default: a new one); the same bulkId twice is one bulk",
      schema: z.string().min(1).optional(),
    }),
    wait: option({
      flag: "wait",
      kind: "boolean",
      description: "submit: follow the bulk until it ends, with a progress bar (needs the Resonate server)",
      schema: z.boolean().default(false),
    }),
    restore: option({
      flag: "restore",
      kind: "boolean",
      description: "cancel: also clear the soft delete of the records the bulk never requested",
      schema: z.boolean().default(false),
    }),
    pollMs: option({
      flag: "poll-ms",
      description: "--wait: how often the bulk's status is read",
      schema: z.coerce.number().int().min(100).default(1_000),
    }),
    resonateUrl: option({
      flag: "resonate-url",
      env: "RESONATE_URL",
      description: "the Resonate server the workers use (for --wait and cancel)",
      schema: z.url().default("http://localhost:8001"),
    }),
    promisePrefix: option({
      flag: "promise-prefix",
      env: "RESONATE_PROMISE_PREFIX",
      description: "namespace of the workers' promise ids",
      schema: PromisePrefixSchema.default(DEFAULT_PROMISE_PREFIX),
    }),
    ...resonateTokenOptions,
    ...payloadKeyOptions,
    connectTimeoutMs: connectTimeoutOption,
    ...loggingOptions,
  },
  checks: [kafkaSecurityCheck, resonateSecurityCheck, requestSigningCheck],
  epilog: [
    "Examples:",
    "  bulk submit --selector tenant --param tenant=tenant-3 --bulk-id delete-tenant-3 --wait",
    "  bulk submit --ids-file ids.txt --bulk-id cleanup-2026-12",
    "  bulk cancel delete-tenant-3 --restore",
  ].join("\n"),
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

export type BulkConfig = ConfigOf<typeof bulkCli.options>;

/** Takes the command and its argument (the positionals) out of the command line. */
export function takeCommand(argv: readonly string[]): { positionals: string[]; rest: string[] } {
  return splitPositionals(argv, bulkCli.options);
}
