export { type EmbeddedPostgresOptions, type Postgres, startEmbeddedPostgres } from "./embedded-postgres.js";
export { freePort } from "./free-port.js";
export { createKafkaAcls, type KafkaAcl, KafkaAclError } from "./kafka-acls.js";
export { type ScramMechanism, serverProperties } from "./kafka-config.js";
export { type LocalKafka, type LocalKafkaOptions, startLocalKafka } from "./local-kafka.js";
export {
  authArgs,
  cachedResonateBinary,
  RESONATE_VERSION,
  type ResonateServer,
  type ResonateServerKind,
  ResonateServerUnavailable,
  resonateBinaryPath,
  type StartResonateServerOptions,
  startLocalResonate,
  startResonateBinary,
  waitForHealth,
} from "./resonate-server.js";
export type { AuthorizerOptions, ScramUser, SecuredKafka } from "./secured-kafka.js";
