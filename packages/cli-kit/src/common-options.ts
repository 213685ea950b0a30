import { z } from "zod";
import { option } from "./options.js";

/** The broker port docker compose publishes for the host, so every app finds it by default. */
export const DEFAULT_BROKERS = "localhost:19092";

export const brokersOption = option({
  flag: "brokers",
  env: "KAFKA_BROKERS",
  description: "Kafka bootstrap servers, comma-separated",
  schema: z.string().min(1).default(DEFAULT_BROKERS),
});

/** How long a one-shot tool waits for the brokers before it gives up (exit 1 naming them). */
export const connectTimeoutOption = option({
  flag: "connect-timeout-ms",
  env: "CONNECT_TIMEOUT_MS",
  description: "give up when the brokers cannot be reached within this long",
  schema: z.coerce.number().int().positive().default(10_000),
});

/** --log-level and --pretty, the same in every app. */
export const loggingOptions = {
  logLevel: option({
    flag: "log-level",
    env: "LOG_LEVEL",
    description: "trace, debug, info, warn, error",
    schema: z.enum(["trace", "debug", "info", "warn", "error"]).default("info"),
  }),
  pretty: option({
    flag: "pretty",
    env: "LOG_PRETTY",
    kind: "boolean",
    description: "human-readable logs instead of JSON lines",
    schema: z.boolean().default(false),
  }),
};
