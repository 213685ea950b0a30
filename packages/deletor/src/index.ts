export * from "./dispatcher.js";
export * from "./http-server.js";
export * from "./metrics.js";
export * from "./offset-tracker.js";
export * from "./publish-refusals.js";
export * from "./retry.js";
export * from "./worker.js";
