export * from "./client.js";
export * from "./completion-publisher.js";
export * from "./dead-letter.js";
export * from "./producer.js";
export * from "./topics-admin.js";
