export * from "./common-options.js";
export * from "./hard-exit.js";
export * from "./logger.js";
export * from "./options.js";
export * from "./run-cli.js";
export * from "./shutdown.js";
