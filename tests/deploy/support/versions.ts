/**
 * The third-party images docker-compose.yml must run, exactly. Each is a deliberate choice
 * (docs/deployment.md, "Pinned versions"); changing one means changing it here too.
 */
export const PINNED_IMAGES = {
  /**
   * The Resonate server. v0.9.4 lacks the upstream fix for awaiters resumed while their task is
   * held (failover); an unreleased build after v0.9.8 answers the SDK's task.fence with 400.
   */
  resonate: "ghcr.io/resonatehq/resonate:v0.9.8",
  /** Redpanda, release line v26.2 (supported until 2027-07-28; v24.3 is past end of life). */
  redpanda: "docker.redpanda.com/redpandadata/redpanda:v26.2.7",
  /** Redpanda Console v3 (v2 is replaced; v3 is configured with v3 keys). */
  "redpanda-console": "docker.redpanda.com/redpandadata/console:v3.14.0",
  /** PostgreSQL 18.4: the record store's database and the Resonate server's storage. */
  postgres: "postgres:18.4",
} as const;

export type PinnedService = keyof typeof PINNED_IMAGES;

/** Resonate server releases that must not come back (see PINNED_IMAGES.resonate). */
export const REJECTED_RESONATE_TAGS = ["v0.9.4", "latest"] as const;

/**
 * The environment variables the Console service may set: Console v3 reads its configuration
 * key `a.bC.d` from `A_BC_D`, and these are the v3 keys this stack uses.
 */
export const CONSOLE_V3_ENV = new Set([
  "KAFKA_BROKERS", // kafka.brokers
  "KAFKA_CLIENTID", // kafka.clientId
  "REDPANDA_ADMINAPI_ENABLED", // redpanda.adminApi.enabled
  "REDPANDA_ADMINAPI_URLS", // redpanda.adminApi.urls
  "SERVER_LISTENPORT", // server.listenPort
  "CONFIG_FILEPATH", // a YAML file with the same keys
]);

/**
 * Console v2 keys that v3 moved or removed, as environment variable prefixes: the Schema Registry
 * left `kafka`, `connect` became `kafkaConnect`, `login` became `authentication`, Admin API
 * credentials moved under `redpanda.adminApi.authentication`, serde settings left `kafka` and
 * `console`, role bindings left `enterprise.rbac`.
 */
export const CONSOLE_V2_ONLY_ENV_PREFIXES = [
  "KAFKA_SCHEMAREGISTRY_",
  "CONNECT_",
  "LOGIN_",
  "REDPANDA_ADMINAPI_USERNAME",
  "REDPANDA_ADMINAPI_PASSWORD",
  "KAFKA_PROTOBUF_",
  "KAFKA_CBOR_",
  "KAFKA_MESSAGEPACK_",
  "CONSOLE_MAXDESERIALIZATIONPAYLOADSIZE",
  "ENTERPRISE_RBAC_",
] as const;
