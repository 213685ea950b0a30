import {
  brokersOption,
  type CliSpec,
  type ConfigOf,
  connectTimeoutOption,
  kafkaSecurityCheck,
  kafkaSecurityOptions,
  loggingOptions,
  option,
  requestSigningCheck,
  requestSigningOptions,
} from "@deletion/cli-kit";
import {
  DEFAULT_REDRIVE_GROUP_ID,
  type DeadLetterReasonCode,
  DeadLetterReasonCodeSchema,
  TOPICS,
} from "@deletion/contracts";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

/** "WORKFLOW_FAILED,FOREIGN_PROMISE": dead-letter reason codes, each one of the known ones. */
const reasonCodes = z
  .string()
  .default("WORKFLOW_FAILED")
  .transform((text, ctx) => {
    const codes = new Set<DeadLetterReasonCode>();
    for (const code of text
      .split(",")
      .map((c) => c.trim())
      .filter((c) => c !== "")) {
      const parsed = DeadLetterReasonCodeSchema.safeParse(code);
      if (!parsed.success) {
        ctx.addIssue({
          code: "custom",
          message: `"${code}" is not a reason code (one of ${DeadLetterReasonCodeSchema.options.join(", ")})`,
        });
        return z.NEVER;
      }
      if (parsed.data === "UNAUTHENTICATED") {
        // Re-published (and signed by redrive's key), it would pass the very check that refused it.
        ctx.addIssue({
          code: "custom",
          message: "UNAUTHENTICATED requests are not re-driven: have their producer send them again, signed",
        });
        return z.NEVER;
      }
      codes.add(parsed.data);
    }
    if (codes.size === 0) {
      ctx.addIssue({ code: "custom", message: "name at least one reason code" });
      return z.NEVER;
    }
    return codes as ReadonlySet<DeadLetterReasonCode>;
  });

export const redriveCli = {
  name: "redrive",
  summary:
    "Re-publishes dead letters (by default those of failed deletions, WORKFLOW_FAILED) to the request topic as fresh deletion requests keyed by record id, so the worker tries them again. Reads from where the last run stopped up to the end of the dead-letter topic, then exits.",
  options: {
    brokers: brokersOption,
    ...kafkaSecurityOptions,
    ...requestSigningOptions,
    deadLetterTopic: option({
      flag: "dead-letter-topic",
      env: "DEAD_LETTER_TOPIC",
      description: "topic the dead letters are read from",
      schema: z.string().min(1).default(TOPICS.deadLetters),
    }),
    inputTopic: option({
      flag: "input-topic",
      env: "INPUT_TOPIC",
      description: "topic the fresh requests are written to (the workers' input topic)",
      schema: z.string().min(1).default(TOPICS.deletionRequests),
    }),
    reasons: option({
      flag: "reason",
      env: "REDRIVE_REASONS",
      description: `dead-letter reason codes to re-drive, comma-separated, of ${DeadLetterReasonCodeSchema.options.join(", ")} (default: WORKFLOW_FAILED)`,
      schema: reasonCodes,
    }),
    groupId: option({
      flag: "group-id",
      env: "REDRIVE_GROUP_ID",
      description: "consumer group that remembers how far the dead-letter topic was re-driven",
      schema: z.string().min(1).default(DEFAULT_REDRIVE_GROUP_ID),
    }),
    fromBeginning: option({
      flag: "from-beginning",
      kind: "boolean",
      description:
        "read the whole dead-letter topic, not just what arrived since the last run; the group's position is left as it was",
      schema: z.boolean().default(false),
    }),
    dryRun: option({
      flag: "dry-run",
      kind: "boolean",
      description: "say what would be re-published; publish nothing and leave the group's position as it was",
      schema: z.boolean().default(false),
    }),
    connectTimeoutMs: connectTimeoutOption,
    timeoutMs: option({
      flag: "timeout-ms",
      env: "REDRIVE_TIMEOUT_MS",
      description:
        "give up reading when the end of the topic is not reached within this long (what was done is kept)",
      schema: positiveInt.default(300_000),
    }),
    ...loggingOptions,
  },
  checks: [kafkaSecurityCheck, requestSigningCheck],
  epilog: [
    "Re-running is safe: it goes on where the last run stopped (the group's committed position), so a",
    "dead letter is re-driven once. A request re-driven twice (--from-beginning, or a run that died",
    "before committing) deletes nothing twice: the worker only reports a record whose latest attempt",
    "is running or completed, and starts a new attempt only after a failed one.",
    "",
    "Example: redrive --brokers localhost:19092 --reason WORKFLOW_FAILED,FOREIGN_PROMISE --dry-run",
  ].join("\n"),
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

export type RedriveConfig = ConfigOf<typeof redriveCli.options>;
