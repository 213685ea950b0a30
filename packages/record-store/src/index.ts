export {
  type BatchContext,
  type BatchResult,
  PermanentDeletionError,
  type RecordStore,
  type SoftDeleteResult,
  TransientDeletionError,
} from "./record-store.js";
export { seededRandom } from "./seeded-random.js";
export { SimulatedRecordStore } from "./simulated-store.js";
