/** Topic names shared by every app. Kafka warns when names differ only in '.' vs '_', so one style is used. */
export const TOPICS = {
  deletionRequests: "records_to_be_deleted",
  deletionCompletions: "records_that_were_deleted",
  deadLetters: "records_to_be_deleted_dlq",
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const DEFAULT_CONSUMER_GROUP_ID = "deletor-workers";

/** Bound on one request message; anything larger is dead-lettered before parsing. */
export const MAX_REQUEST_BYTES = 64 * 1024;
