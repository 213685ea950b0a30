import kafkaJavascript from "@confluentinc/kafka-javascript";
import type { Logger } from "pino";
import { BrokerOutage, isOutageLine } from "./broker-outage.js";
import { type ConsumerRefusal, consumerRefusalIn } from "./consumer-refusal.js";
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
  /**
   * Called once when the broker refuses a consumer for good (no grant on its group or topic,
   * credentials refused), which the client itself only logs and retries (consumer-refusal.ts).
   * Needs `logger`. Without it, the refusal is logged on every retry.
   */
  onConsumerRefused?: (refusal: ConsumerRefusal) => void;
}

export function parseBrokers(brokers: string): string[] {
  return brokers
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

export function createKafka(config: KafkaClientConfig): Kafka {
  let kafka: Kafka | undefined;
  // Probes ask the brokers for their topics on an admin client of its own, whose failure lines
  // fold into the outage too.
  const outage = config.logger
    ? new BrokerOutage({
        logger: config.logger.child({ component: "kafka" }),
        probe: async () => {
          if (!kafka) return false;
          const { listTopicsWithin } = await import("./broker-probe.js");
          return listTopicsWithin(kafka, 2_000).then(
            () => true,
            () => false,
          );
        },
      })
    : undefined;
  const logger = config.logger
    ? kafkaLogger(config.logger, "kafka", outage, onceRefused(config.onConsumerRefused))
    : undefined;
  kafka = new KafkaJS.Kafka({
    ...librdkafkaSecurity(config.security),
    kafkaJS: {
      brokers: parseBrokers(config.brokers),
      clientId: config.clientId,
      logLevel: KafkaJS.logLevel.WARN,
      ...(logger ? { logger } : {}),
    },
  });
  if (logger) clientLoggers.set(kafka, logger);
  if (outage) outages.set(kafka, outage);
  return kafka;
}

const outages = new WeakMap<Kafka, BrokerOutage>();

/** The outage tracker of a client made with a logger (see BrokerOutage); undefined without one. */
export const outageOfKafka = (kafka: Kafka): BrokerOutage | undefined => outages.get(kafka);

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
export function kafkaLogger(
  logger: Logger,
  namespace = "kafka",
  outage?: BrokerOutage,
  refused?: RefusalWatch,
): KafkaJsLogger {
  const level = logger.isLevelEnabled("debug") ? logger.level : "warn";
  const child = logger.child({ component: namespace }, { level });
  // While the brokers cannot be reached, the client says so for every broker and every retry:
  // those lines fold into the outage's two (broker-outage.ts) and go to debug.
  const loud =
    (at: "info" | "warn" | "error") =>
    (message: string, extra?: object): void => {
      if (outage && isOutageLine(message)) {
        outage.failed(message);
        child.debug(extra ?? {}, message);
        return;
      }
      const refusal = refused && consumerRefusalIn(message);
      if (refusal) {
        // The first says it; the app stops on it, and the retries until then would only repeat it.
        if (refused.report(refusal)) child[at](extra ?? {}, message);
        else child.debug(extra ?? {}, message);
        return;
      }
      child[at](extra ?? {}, message);
    };
  const self: KafkaJsLogger = {
    info: loud("info"),
    warn: loud("warn"),
    error: loud("error"),
    debug: (message, extra) => child.debug(extra ?? {}, message),
    namespace: (name) => kafkaLogger(logger, `${namespace}.${name}`, outage, refused),
    setLogLevel: () => {},
  };
  return self;
}

/** Reports a consumer's refusal to the app once; `report` says whether this was the first. */
interface RefusalWatch {
  report(refusal: ConsumerRefusal): boolean;
}

function onceRefused(onRefused: ((refusal: ConsumerRefusal) => void) | undefined): RefusalWatch | undefined {
  if (!onRefused) return undefined;
  let reported = false;
  return {
    report: (refusal) => {
      if (reported) return false;
      reported = true;
      onRefused(refusal);
      return true;
    },
  };
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
