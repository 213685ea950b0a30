// Brings in the typing of inject("kafkaBrokers") that the global setup provides.
import type {} from "@deletion/test-kit/global-setup";

export { appEnv, type EnvOverrides } from "./app-env.js";
export { createTopic } from "./create-topic.js";
export { LEVEL, type LogLine, logLines, parseLogLine } from "./log-lines.js";
export { type ReadTopicOptions, readTopic, type TopicMessage } from "./read-topic.js";
export { appEntry, repoRoot } from "./repo-root.js";
export { type AppRun, type RunAppOptions, runApp } from "./run-app.js";
export { type AppExit, type RunningApp, startApp, stopAllApps } from "./start-app.js";
export { topicPartitions } from "./topic-partitions.js";
export { withAdmin } from "./with-admin.js";
