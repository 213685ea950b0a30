export {
  BULK_DELETION_COMPLETED_VERSION,
  BULK_DELETION_REQUESTED_VERSION,
  BULK_MAX_FAILED_IDS,
  BULK_MAX_IDS,
  type BulkDeletionCompleted,
  BulkDeletionCompletedSchema,
  type BulkDeletionRequested,
  BulkDeletionRequestedSchema,
  BulkIdSchema,
  SelectorNameSchema,
  SelectorParamsSchema,
} from "./bulk-deletion.js";
export {
  type DecodeBulkOptions,
  decodeBulkDeletionRequested,
  encodeBulkDeletionCompleted,
  encodeBulkDeletionRequested,
} from "./bulk-deletion-codec.js";
export { type BulkSubmission, bulkRequestsOf } from "./bulk-requests.js";
export { BULK_HEADERS, BULK_LOG_EVENTS, BULK_TOPICS, DEFAULT_BULK_CONSUMER_GROUP_ID } from "./bulk-topics.js";
export {
  DEAD_LETTER_MAX_ORIGINAL_BYTES,
  DEAD_LETTER_MAX_ORIGINAL_BYTES_LIMIT,
  DEAD_LETTER_VERSION,
  type DeadLetter,
  type DeadLetterReasonCode,
  DeadLetterReasonCodeSchema,
  DeadLetterSchema,
} from "./dead-letter.js";
export type { DecodeError } from "./decode-result.js";
export { type DeletionCompleted, DeletionCompletedSchema } from "./deletion-completed.js";
export { decodeDeletionRequested, encodeDeletionRequested } from "./deletion-request-codec.js";
export {
  DELETION_REQUESTED_VERSION,
  type DeletionRequested,
  DeletionRequestedSchema,
} from "./deletion-requested.js";
export { decodeMessage, describeIssues, encodeMessage } from "./json-bytes.js";
export { LOG_EVENTS } from "./log-events.js";
export { RECORD_ID_MAX_LENGTH, RECORD_ID_PATTERN, RecordIdSchema } from "./record-id.js";
export {
  formatRequestSignature,
  REQUEST_SIGNATURE_HEADER,
  type RequestSignature,
  RequestSignatureSchema,
  requestSignedBytes,
  type SignedMessageKind,
  SigningKeyIdSchema,
} from "./request-signature.js";
export { type SourcePosition, SourcePositionSchema } from "./source-position.js";
export { type StructuredLogger, silentLogger } from "./structured-logger.js";
export {
  DEFAULT_CONSUMER_GROUP_ID,
  DEFAULT_REDRIVE_GROUP_ID,
  MAX_REQUEST_BYTES,
  MESSAGE_HEADERS,
  TOPICS,
} from "./topics.js";
