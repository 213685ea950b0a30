import { KafkaJS } from "./client.js";

type ErrorName = keyof typeof KafkaJS.ErrorCodes;

/**
 * Errors after which sending the same message again cannot succeed: the codes librdkafka's own
 * produce error handling treats as permanent; everything else is transient. The client's
 * `retriable` flag is false on every delivery failure. Why: docs/decisions/publish-policy.md
 */
const PERMANENT: readonly ErrorName[] = [
  // Larger than the broker's (or topic's) message.max.bytes, or the client's own limit.
  "ERR_MSG_SIZE_TOO_LARGE",
  "ERR_INVALID_MSG_SIZE",
  "ERR_RECORD_LIST_TOO_LARGE",
  // Not allowed to write: ACLs and credentials do not change between two attempts.
  "ERR_TOPIC_AUTHORIZATION_FAILED",
  "ERR_CLUSTER_AUTHORIZATION_FAILED",
  "ERR_SASL_AUTHENTICATION_FAILED",
  "ERR__AUTHENTICATION",
  // The topic or partition does not exist; librdkafka says so only after its metadata retries.
  "ERR__UNKNOWN_TOPIC",
  "ERR__UNKNOWN_PARTITION",
  "ERR_TOPIC_EXCEPTION",
  // The broker rejects the record itself.
  "ERR_INVALID_RECORD",
  "ERR_INVALID_TIMESTAMP",
  "ERR_POLICY_VIOLATION",
  "ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT",
  "ERR_UNSUPPORTED_COMPRESSION_TYPE",
  "ERR_INVALID_REQUIRED_ACKS",
  // The client refuses the call, or its idempotent producer failed fatally and must be recreated.
  "ERR__INVALID_ARG",
  "ERR__FATAL",
];

const NAME_OF_CODE = new Map<number, string>();
for (const [name, code] of Object.entries(KafkaJS.ErrorCodes)) {
  // A few codes have two names (ERR_NOT_COORDINATOR, ERR_NOT_COORDINATOR_FOR_GROUP): keep the first.
  if (!NAME_OF_CODE.has(code)) NAME_OF_CODE.set(code, name);
}
const PERMANENT_CODES = new Set<number>(PERMANENT.map((name) => KafkaJS.ErrorCodes[name]));

/** A failed publish, as the policy sees it. */
export interface PublishError {
  /** true when sending the same message again cannot succeed */
  permanent: boolean;
  /** The client's name for the error code (e.g. ERR_MSG_SIZE_TOO_LARGE); metric label and log field. */
  reason: string;
  code: number | undefined;
  /** The broker's (or client's) own words, e.g. "Broker: Message size too large". */
  message: string;
}

/**
 * Reads the librdkafka error code from whatever `send` rejected with: a KafkaJSError from a
 * delivery report, or a LibrdKafkaError thrown by produce() itself (the client's size check).
 */
export function classifyPublishError(error: unknown): PublishError {
  const code =
    typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "number"
      ? (error as { code: number }).code
      : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return {
    permanent: code !== undefined && PERMANENT_CODES.has(code),
    reason: (code !== undefined && NAME_OF_CODE.get(code)) || "UNKNOWN",
    code,
    message,
  };
}

/** The codes classifyPublishError treats as permanent, by name: for documentation and tests. */
export const PERMANENT_PUBLISH_ERRORS: readonly string[] = PERMANENT;
