import kafkaJavascript from "@confluentinc/kafka-javascript";
import type { Logger } from "pino";
import { type KafkaSecurity, librdkafkaSecurity } from "./security.js";

// The package is CommonJS; its KafkaJS-compatible API lives under the KafkaJS namespace.
export const { KafkaJS } = kafkaJavascript;
export type Kafka = InstanceType<typeof KafkaJS.Kafka>;
export type Producer = ReturnType<Kafka["producer"]>;
export type Consumer = ReturnType<Kafka["consumer"]>;
export type Admin = ReturnType<Kafka["admin"]>;
export type KafkaMessage = Parameters<
  NonNullable<Parameters<Consumer["run"]>[0]>["eachMessage"] & {}
>[0]["message"];

export interface KafkaClientConfig {
  /** Comma-separated bootstrap servers, e.g. "localhost:19092". */
  brokers: string;
  clientId: string;
  logger?: Logger;
  /** SASL and TLS; without it, plaintext and no authentication. */
  security?: KafkaSecurity | undefined;
}

export function parseBrokers(brokers: string): string[] {
  return brokers
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

export function createKafka(config: KafkaClientConfig): Kafka {
  const logger = config.logger ? kafkaLogger(config.logger) : undefined;
  const kafka = new KafkaJS.Kafka({
    ...librdkafkaSecurity(config.security),
    kafkaJS: {
      brokers: parseBrokers(config.brokers),
      clientId: config.clientId,
      logLevel: KafkaJS.logLevel.WARN,
      ...(logger ? { logger } : {}),
    },
  });
  if (logger) clientLoggers.set(kafka, logger);
  return kafka;
}

// A client made with an own logger for one job (the broker probe's) still sends what it does not
// handle itself to the logger its Kafka was made with.
const clientLoggers = new WeakMap<Kafka, KafkaJsLogger>();

/** The logger `kafka` was made with; undefined for the client's default (the console). */
export const loggerOfKafka = (kafka: Kafka): KafkaJsLogger | undefined => clientLoggers.get(kafka);

export type KafkaJsLogger = NonNullable<
  NonNullable<ConstructorParameters<typeof KafkaJS.Kafka>[0]>["kafkaJS"]
>["logger"] & {};

/**
 * Routes the client's own log lines into the app's structured logger. Its connect/disconnect
 * chatter is noise at info, so below debug only its warnings and errors get through.
 */
export function kafkaLogger(logger: Logger, namespace = "kafka"): KafkaJsLogger {
  const level = logger.isLevelEnabled("debug") ? logger.level : "warn";
  const child = logger.child({ component: namespace }, { level });
  const self: KafkaJsLogger = {
    info: (message, extra) => child.info(extra ?? {}, message),
    warn: (message, extra) => child.warn(extra ?? {}, message),
    error: (message, extra) => child.error(extra ?? {}, message),
    debug: (message, extra) => child.debug(extra ?? {}, message),
    namespace: (name) => kafkaLogger(logger, `${namespace}.${name}`),
    setLogLevel: () => {},
  };
  return self;
}

/** Rejects with a clear message when a connect (or any call) does not finish in time. */
export async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
