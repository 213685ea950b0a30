export { RecordBoard } from "./record-board.js";
export { describeState, renderBoard } from "./render.js";
export { runDemo } from "./run-demo.js";
export { type DemoSummary, summarize } from "./summary.js";
