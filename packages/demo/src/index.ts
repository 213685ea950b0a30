export * from "./completion-watch.js";
export * from "./record-board.js";
export * from "./render.js";
export * from "./run-demo.js";
export * from "./summary.js";
export * from "./terminal-view.js";
export * from "./worker-process.js";
