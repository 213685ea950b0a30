export type { CompletionPublisher } from "./completion-publisher.js";
export * from "./deletion-runtime.js";
export { DELETION_WORKFLOW_NAME, deletionWorkflow } from "./deletion-workflow.js";
export * from "./record-store.js";
export * from "./resonate-client.js";
export * from "./seeded-random.js";
export * from "./simulated-store.js";
export * from "./workflow-input.js";
export * from "./workflow-logger.js";
