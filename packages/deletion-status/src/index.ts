export {
  describeStatus,
  type HttpStatusSourceOptions,
  httpStatusSource,
  listFailed,
  lookupStatusSource,
  type PromiseSearch,
  type RecordInspector,
  type RecordView,
  readRecordStatus,
  type StatusPromise,
  type StatusSource,
  statusAnswer,
} from "./deletion-status.js";
