#!/usr/bin/env node
import { runCli } from "@deletion/cli-kit";
import { producerCli } from "./config.js";
import { produceRequests } from "./produce.js";

await runCli(producerCli, produceRequests);
// A one-shot tool must not hang on librdkafka threads that outlive disconnect (say, still
// retrying an unreachable broker). Unref'd: a clean run ends sooner on its own.
setTimeout(() => process.exit(), 1_000).unref();
