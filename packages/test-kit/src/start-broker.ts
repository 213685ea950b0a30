import type { SecuredKafka } from "@deletion/local-stack";
import { type LocalKafkaOptions, startLocalKafka } from "@deletion/local-stack";
import { dockerUnavailable } from "./docker.js";

/**
 * Pinned so every run tests against the same broker; bump deliberately. The same tag as
 * docker-compose.yml: the supported v26.2 release line.
 */
export const REDPANDA_IMAGE = "docker.redpanda.com/redpandadata/redpanda:v26.2.7";
const REDPANDA_KAFKA_PORT = 9092;

export type BrokerKind = "external" | "redpanda" | "kafka";

export interface StartBrokerOptions {
  /** Where KAFKA_BROKERS is read from; default process.env. Also passed to the local broker. */
  env?: NodeJS.ProcessEnv;
  /** Skip detection and start this kind (still honours KAFKA_BROKERS first). */
  kind?: "redpanda" | "kafka";
  /** Fixed host port for the Kafka API; a free one when omitted. */
  port?: number;
  /** How long to wait for a Docker engine to answer; default 5 s. */
  dockerTimeoutMs?: number;
  redpandaImage?: string;
  /** Options for the local Apache Kafka broker (env and port come from above). */
  local?: Omit<LocalKafkaOptions, "env" | "port">;
}

export interface Broker {
  bootstrapServers: string;
  kind: BrokerKind;
  /** The SASL_SSL and mutual-TLS listeners, when asked for with `local.secured` and the broker is local. */
  secured?: SecuredKafka;
  stop(): Promise<void>;
}

/** Why a broker has no secured listeners; "" when it has them. */
export function securedUnavailableReason(broker: Broker): string {
  if (broker.secured) return "";
  const which =
    broker.kind === "external"
      ? "the one KAFKA_BROKERS names"
      : broker.kind === "redpanda"
        ? "Redpanda in a container (Testcontainers)"
        : "a local Apache Kafka started without them";
  return `the secured listeners (SASL_SSL, mutual TLS) come with the test kit's local Apache Kafka only; this run's broker is ${which}`;
}

const log = (message: string) => console.error(`[test-kit] ${message}`);

/**
 * A Kafka-API broker for tests: the one named by KAFKA_BROKERS if set, else Redpanda in a
 * container when a Docker engine answers, else Apache Kafka run locally from cached jars.
 */
export async function startBroker(opts: StartBrokerOptions = {}): Promise<Broker> {
  const env = opts.env ?? process.env;
  const external = env.KAFKA_BROKERS?.trim();
  if (external) {
    log(`broker: external (KAFKA_BROKERS=${external} is set)`);
    return { bootstrapServers: external, kind: "external", stop: async () => {} };
  }

  let dockerProblem = "";
  if (opts.kind !== "kafka") {
    dockerProblem = opts.kind === "redpanda" ? "" : await dockerUnavailable(opts.dockerTimeoutMs ?? 5_000);
    if (!dockerProblem) {
      const image = opts.redpandaImage ?? REDPANDA_IMAGE;
      log(
        `broker: redpanda (${opts.kind === "redpanda" ? "requested" : "a Docker engine answered"}; ${image})`,
      );
      return startRedpanda(image, opts.port);
    }
  }

  log(
    `broker: kafka (local Apache Kafka; ${opts.kind === "kafka" ? "requested" : `no Docker engine: ${dockerProblem}`})`,
  );
  const kafka = await startLocalKafka({ ...opts.local, env, port: opts.port });
  return {
    bootstrapServers: kafka.bootstrapServers,
    kind: "kafka",
    ...(kafka.secured ? { secured: kafka.secured } : {}),
    stop: kafka.stop,
  };
}

async function startRedpanda(image: string, port: number | undefined): Promise<Broker> {
  const { RedpandaContainer } = await import("@testcontainers/redpanda");
  const container = new RedpandaContainer(image);
  // A later binding for the same container port replaces the random one.
  if (port !== undefined) container.withExposedPorts({ container: REDPANDA_KAFKA_PORT, host: port });
  const started = await container.start();
  let stopping: Promise<void> | undefined;
  return {
    bootstrapServers: started.getBootstrapServers(),
    kind: "redpanda",
    stop: () => {
      stopping ??= started.stop().then(() => {});
      return stopping;
    },
  };
}
