export { selectAttempt } from "./attempts.js";
export { BATCH_PACER, type BatchPacer, type PacedSlot, registerBatchPacer } from "./batch-pacing.js";
export { DELETION_SEGMENT_NAME } from "./batch-segments.js";
export { batchStep } from "./batch-step.js";
export { BULK_RESTORE_TAG, type BulkCancelResult, requestBulkCancel } from "./bulk-cancel.js";
export { BulkIds } from "./bulk-ids.js";
export {
  type BulkOutcome,
  BulkOutcomeSchema,
  type BulkShape,
  type BulkTotals,
  type BulkWorkflowInput,
  DEFAULT_BULK_SHAPE,
  FanOutPageStepSchema,
  FollowStepSchema,
  PublishPageStepSchema,
  SoftDeleteBatchStepSchema,
} from "./bulk-input.js";
export {
  type BulkEnd,
  type BulkRuntime,
  type BulkRuntimeOptions,
  type BulkStart,
  type RecordPromiseIds,
  registerBulkWorkflow,
} from "./bulk-runtime.js";
export { type BulkPublisher, bulkRequestProblem, type RecordProgress, selectionOf } from "./bulk-steps.js";
export { BULK_WORKFLOW_NAME } from "./bulk-workflow.js";
export { type CompletionPublisher, PermanentPublishError } from "./completion-publisher.js";
export {
  type AttemptEnd,
  batchRetryPolicy,
  DEFAULT_BATCH_RETRY,
  type DeletionRuntime,
  type DeletionStart,
  promiseLookup,
  registerDeletionWorkflow,
} from "./deletion-runtime.js";
export { deletionWorkflow } from "./deletion-workflow.js";
export {
  DEFAULT_PROMISE_PREFIX,
  PROMISE_ID_KEY_MIN_BYTES,
  PromiseIds,
  PromisePrefixSchema,
} from "./promise-ids.js";
export { decodeStoredValue, paramRecordId, readAttempt, readOutcome } from "./promise-values.js";
export type { DeletionOutcome, DeletionRequestInput, DeletionWorkflowInput } from "./workflow-input.js";
export {
  type BatchPauseMode,
  BatchPauseModeSchema,
  type BatchProgress,
  DEFAULT_BATCH_PAUSE,
  DEFAULT_SEGMENT_BATCHES,
  type SegmentResult,
  type WorkflowShapeOptions,
  workflowShape,
} from "./workflow-shape.js";
