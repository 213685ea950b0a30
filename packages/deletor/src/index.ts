export { durabilityStrategy } from "./durability.js";
export { startHttpServer } from "./http-server.js";
export { WorkerMetrics } from "./metrics.js";
export { PublishGate } from "./publish-gate.js";
export { publishRefusalReporter } from "./publish-refusals.js";
export { runShutdownSteps, workerShutdownSteps } from "./shutdown-steps.js";
export { DeletorWorker } from "./worker.js";
