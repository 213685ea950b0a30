#!/usr/bin/env node
import { runCli } from "@deletion/cli-kit";
import { topicSetupCli } from "./config.js";
import { setupTopics } from "./setup-topics.js";

await runCli(topicSetupCli, setupTopics);
// A one-shot tool must not hang on librdkafka threads that outlive disconnect (say, still
// retrying an unreachable broker). Unref'd: a clean run ends sooner on its own.
setTimeout(() => process.exit(), 1_000).unref();
