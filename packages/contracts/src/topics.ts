/** Topic names shared by every app. Kafka warns when names differ only in '.' vs '_', so one style is used. */
export const TOPICS = {
  deletionRequests: "records_to_be_deleted",
  deletionCompletions: "records_that_were_deleted",
  deadLetters: "records_to_be_deleted_dlq",
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const DEFAULT_CONSUMER_GROUP_ID = "deletor-workers";

/** The dead-letter re-drive's group: the re-drive command and the console go on from the same position. */
export const DEFAULT_REDRIVE_GROUP_ID = "deletion-redrive";

/** Bound on one request message; anything larger is dead-lettered before parsing. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Kafka headers the apps set on what they publish. Not part of the JSON value: they help
 * operators (and tests) see who published a message without decoding it.
 */
export const MESSAGE_HEADERS = {
  /** On dead letters: the reason code, so a consumer can filter without parsing. */
  deadLetterReason: "dead-letter-reason",
  /** On completions and dead letters from a workflow: the Resonate pid of the worker that published. */
  publishedBy: "published-by",
  /** On requests the re-drive command publishes: the dead letter's position, "<topic>/<partition>/<offset>". */
  redrivenFrom: "redriven-from",
} as const;
