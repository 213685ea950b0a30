import {
  type CliSpec,
  type ConfigOf,
  option,
  payloadKeyOptions,
  promiseIdKeyOptions,
  resonateSecurityCheck,
  resonateTokenOptions,
  splitPositionals,
} from "@deletion/cli-kit";
import { BulkIdSchema } from "@deletion/contracts";
import {
  DEFAULT_DELETED_AT_COLUMN,
  DEMO_TABLES,
  IdentifierSchema,
  TableListSchema,
} from "@deletion/store-postgres";
import { DEFAULT_PROMISE_PREFIX, PromisePrefixSchema } from "@deletion/workflows";
import { z } from "zod";

export const statusCli = {
  name: "status <recordId> | status --list --state failed | status --bulk <bulkId>",
  summary:
    "Says where a record's deletion stands: unknown, accepted (soft-deleted), deleting (batches done, rows deleted so far), done (when; the request's partition and offset) or failed (why; how to retry). With --bulk, where a bulk deletion stands: matched, soft-deleted, requested, done, failed (with ids), rows, rate, ETA and its status. Reads the durable promises on the Resonate server and, given a database, the rows left. Changes nothing.",
  options: {
    resonateUrl: option({
      flag: "resonate-url",
      env: "RESONATE_URL",
      description: "the Resonate server the workers use",
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
    ...promiseIdKeyOptions,
    databaseUrl: option({
      flag: "database-url",
      env: "DATABASE_URL",
      description: "postgres store: also show the soft-delete flag and the rows left per table",
      schema: z.string().min(1).optional(),
    }),
    tables: option({
      flag: "tables",
      env: "DELETE_TABLES",
      description: "postgres store: the workers' table:column list",
      schema: z.string().default(DEMO_TABLES).pipe(TableListSchema),
    }),
    deletedAtColumn: option({
      flag: "deleted-at-column",
      env: "DELETED_AT_COLUMN",
      description: "postgres store: the soft-delete column ('none': no soft delete)",
      schema: z
        .string()
        .default(DEFAULT_DELETED_AT_COLUMN)
        .transform((text) => (text === "none" ? null : text))
        .pipe(IdentifierSchema.nullable()),
    }),
    bulk: option({
      flag: "bulk",
      description: "show a bulk deletion (its bulkId) instead of a record",
      schema: BulkIdSchema.optional(),
    }),
    list: option({
      flag: "list",
      kind: "boolean",
      description: "list records instead of showing one (needs --state)",
      schema: z.boolean().default(false),
    }),
    state: option({
      flag: "state",
      description: "with --list: which records (failed: those whose latest attempt failed)",
      schema: z.enum(["failed"]).optional(),
    }),
    limit: option({
      flag: "limit",
      description: "with --list: at most this many records",
      schema: z.coerce.number().int().positive().default(100),
    }),
    json: option({
      flag: "json",
      kind: "boolean",
      description: "print the status as JSON",
      schema: z.boolean().default(false),
    }),
    timeoutMs: option({
      flag: "timeout-ms",
      description: "give up on a request to the Resonate server after this long",
      schema: z.coerce.number().int().positive().default(3_000),
    }),
  },
  checks: [resonateSecurityCheck],
  epilog: [
    "Exit codes: 0 answered (whatever the state), 1 the Resonate server or the database could not be",
    "read, 2 bad usage.",
    "",
    "Examples:",
    "  status customer-000017 --resonate-url http://localhost:8001",
    "  status --list --state failed",
    "  status --bulk delete-tenant-3 --json",
  ].join("\n"),
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

export type StatusConfig = ConfigOf<typeof statusCli.options>;

/**
 * Takes the record id (the one positional argument) out of the command line, so the rest is
 * options only. Flags that take a value keep it, so "--tables x:id r1" finds r1.
 */
export function takeRecordId(argv: readonly string[]): {
  recordId?: string;
  rest: string[];
  extra: string[];
} {
  const { positionals: values, rest } = splitPositionals(argv, statusCli.options);
  return {
    ...(values[0] !== undefined ? { recordId: values[0] } : {}),
    rest,
    extra: values.slice(1),
  };
}
