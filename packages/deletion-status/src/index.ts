export { bulkProgressLine } from "./bulk-progress.js";
export { type BulkStatus, BulkStatusSchema, describeBulkStatus, readBulkStatus } from "./bulk-status.js";
export { bulkStatusAnswer } from "./bulk-status-answer.js";
export { describeStatus } from "./describe-status.js";
export { listFailed } from "./failed-records.js";
export {
  RETRY_HINT,
  type RecordInspector,
  type RecordStatus,
  RecordStatusSchema,
  type RecordView,
  readRecordStatus,
  type StatusOptions,
} from "./record-status.js";
export { statusAnswer } from "./status-answer.js";
export {
  type HttpStatusSourceOptions,
  httpStatusSource,
  lookupStatusSource,
  type PromiseSearch,
  ResonateRefusedError,
  ResonateUnreachableError,
  type StatusPromise,
  type StatusSource,
} from "./status-source.js";
