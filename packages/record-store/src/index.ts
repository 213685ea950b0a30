export {
  type BulkSelection,
  type BulkSelectionStore,
  type IdPage,
  type RestResult,
  type SoftDeleteBatchResult,
  selectionProblem,
  UnknownSelectorError,
} from "./bulk-selection.js";
export {
  type BatchContext,
  type BatchResult,
  PermanentDeletionError,
  type RecordStore,
  type SoftDeleteResult,
  TransientDeletionError,
} from "./record-store.js";
export { seededRandom } from "./seeded-random.js";
export { SimulatedBulkSelection, type SimulatedRecord } from "./simulated-bulk-selection.js";
export { SimulatedRecordStore } from "./simulated-store.js";
