import kafkaJavascript from "@confluentinc/kafka-javascript";
import type { Logger } from "pino";

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
}

export function parseBrokers(brokers: string): string[] {
  return brokers
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

export function createKafka(config: KafkaClientConfig): Kafka {
  return new KafkaJS.Kafka({
    kafkaJS: {
      brokers: parseBrokers(config.brokers),
      clientId: config.clientId,
      logLevel: KafkaJS.logLevel.WARN,
      ...(config.logger ? { logger: kafkaLogger(config.logger) } : {}),
    },
  });
}

type KafkaJsLogger = NonNullable<
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
