export { type BenchArgs, benchArgs, parseBenchArgs } from "./bench-args.js";
export { type MachineFacts, machineFacts, percentile, type Spread, spread } from "./bench-report.js";
export { freePort } from "./free-port.js";
export {
  type LogLevel,
  log4j2Properties,
  type PropertyValue,
  SCRAM_MECHANISMS,
  type ScramMechanism,
  type SecuredListeners,
  serverProperties,
} from "./kafka-config.js";
export { type ApiVersionsReply, probeApiVersions } from "./kafka-probe.js";
export { type LocalKafka, LocalKafkaError, type LocalKafkaOptions, startLocalKafka } from "./local-kafka.js";
export { createResonateAuth, type ResonateAuth, type TokenClaims } from "./resonate-auth.js";
export {
  parseResonateRequests,
  type ResonateRequestCounts,
  scrapeResonateRequests,
} from "./resonate-metrics.js";
export {
  RESONATE_IMAGE,
  type ResonateServer,
  type ResonateServerKind,
  ResonateServerUnavailable,
  type StartResonateServerOptions,
  startResonateServer,
} from "./resonate-server.js";
export type { ScramUser, SecuredKafka } from "./secured-kafka.js";
export {
  type Broker,
  type BrokerKind,
  REDPANDA_IMAGE,
  type StartBrokerOptions,
  securedUnavailableReason,
  startBroker,
} from "./start-broker.js";
export {
  POSTGRES_IMAGE,
  type Postgres,
  type PostgresKind,
  type StartPostgresOptions,
  startPostgres,
} from "./start-postgres.js";
export { uniqueName } from "./unique-name.js";
