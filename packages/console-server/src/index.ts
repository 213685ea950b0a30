export { BulkActions, type BulkActionsOptions } from "./bulk-actions.js";
export { BulkBoard, type BulkBoardOptions } from "./bulk-board.js";
export { type Assets, type ConsoleAppOptions, createConsoleApp } from "./console-app.js";
export {
  ConsoleState,
  type ConsoleStateOptions,
  type KeptDeadLetter,
  type TopicPosition,
} from "./console-state.js";
export { readGroupLag } from "./lag-probe.js";
export { LiveHub, type LiveHubOptions, type LiveSubscriber } from "./live-hub.js";
export { RateWindow } from "./rate-window.js";
export { RedriveActions, type RedriveActionsOptions, RedriveRefused } from "./redrive-actions.js";
export { RingBuffer } from "./ring-buffer.js";
export { type Session, Sessions, type SessionsOptions } from "./sessions.js";
export { type ConsoleOptions, type RunningConsole, startConsole } from "./start-console.js";
export { startTopicFeed, type TopicFeedOptions, type TopicHandler } from "./topic-feed.js";
export {
  type BulkSubmitAnswer,
  BulkSubmitAnswerSchema,
  type BulkSubmitRequest,
  BulkSubmitRequestSchema,
  type CompletionRow,
  CompletionRowSchema,
  CSRF_HEADER,
  type DeadLetterRow,
  DeadLetterRowSchema,
  type LagView,
  LagViewSchema,
  PartitionLagSchema,
  type RedriveAnswer,
  RedriveAnswerSchema,
  type RedriveRequest,
  RedriveRequestSchema,
  type ServiceHealth,
  ServiceHealthSchema,
  type Snapshot,
  SnapshotSchema,
  type WorkerHealth,
  WorkerHealthSchema,
} from "./view.js";
export { type Fetch, probeWorker } from "./worker-probe.js";
