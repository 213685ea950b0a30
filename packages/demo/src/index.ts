export * from "./record-board.js";
export * from "./render.js";
export * from "./summary.js";
