export type PropertyValue = string | number | boolean;

/** SCRAM mechanisms the secured listener takes; users are made for each. */
export const SCRAM_MECHANISMS = ["SCRAM-SHA-512", "SCRAM-SHA-256"] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

/**
 * Two listeners next to the plaintext one: SASL_SSL (SCRAM over TLS) and SSL that requires a
 * client certificate signed by the CA (mutual TLS). Keys and certificates are PEM files.
 */
export interface SecuredListeners {
  saslSslPort: number;
  mutualTlsPort: number;
  /** The broker's certificate and key in one PEM file. */
  keystoreFile: string;
  /** The CA client certificates must be signed by. */
  caFile: string;
  /**
   * Enforce ACLs (KRaft's StandardAuthorizer) with these principals as super users. The
   * anonymous principal of the plaintext listeners is one too: the broker reaches its controller
   * as it, and the plaintext listener stays the owner's unrestricted way in, on 127.0.0.1.
   */
  superUsers?: string[];
}

export interface ServerConfigInput {
  brokerPort: number;
  controllerPort: number;
  dataDir: string;
  secured?: SecuredListeners | undefined;
  overrides?: Record<string, PropertyValue>;
}

const SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule required;";

function securedProperties(secured: SecuredListeners): Record<string, PropertyValue> {
  return {
    "sasl.enabled.mechanisms": SCRAM_MECHANISMS.join(","),
    ...Object.fromEntries(
      SCRAM_MECHANISMS.map((m) => [
        `listener.name.sasl_ssl.${m.toLowerCase()}.sasl.jaas.config`,
        SCRAM_LOGIN,
      ]),
    ),
    "ssl.keystore.type": "PEM",
    "ssl.keystore.location": secured.keystoreFile,
    "ssl.truststore.type": "PEM",
    "ssl.truststore.location": secured.caFile,
    "listener.name.ssl.ssl.client.auth": "required",
    ...(secured.superUsers
      ? {
          "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
          "super.users": [...secured.superUsers, "User:ANONYMOUS"].join(";"),
          "allow.everyone.if.no.acl.found": false,
        }
      : {}),
  };
}

/** server.properties for one node that is both KRaft controller and broker on 127.0.0.1. */
export function serverProperties({
  brokerPort,
  controllerPort,
  dataDir,
  secured,
  overrides = {},
}: ServerConfigInput): string {
  const clientListeners = [
    `PLAINTEXT://127.0.0.1:${brokerPort}`,
    ...(secured
      ? [`SASL_SSL://127.0.0.1:${secured.saslSslPort}`, `SSL://127.0.0.1:${secured.mutualTlsPort}`]
      : []),
  ];
  const props: Record<string, PropertyValue> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    // A static voter set lets `StorageTool format` work without --standalone on 3.9 and 4.x.
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: [...clientListeners, `CONTROLLER://127.0.0.1:${controllerPort}`].join(","),
    "advertised.listeners": clientListeners.join(","),
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${secured ? ",SASL_SSL:SASL_SSL,SSL:SSL" : ""}`,
    "log.dirs": dataDir,
    // Single node: internal topics cannot have more than one replica.
    "offsets.topic.replication.factor": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "share.coordinator.state.topic.replication.factor": 1,
    "share.coordinator.state.topic.min.isr": 1,
    // Fewer internal partitions make the first consumer group / transaction start in
    // well under a second instead of creating 50 partitions on demand.
    "offsets.topic.num.partitions": 4,
    "transaction.state.log.num.partitions": 4,
    // Tests join groups constantly; the default 3 s delay would only slow them down.
    "group.initial.rebalance.delay.ms": 0,
    "num.partitions": 1,
    "default.replication.factor": 1,
    "min.insync.replicas": 1,
    "auto.create.topics.enable": true,
    "delete.topic.enable": true,
    // The machine has 2 cores; the defaults (3 network, 8 I/O threads) only add contention.
    "num.network.threads": 2,
    "num.io.threads": 4,
    ...(secured ? securedProperties(secured) : {}),
    ...overrides,
  };
  return `${Object.entries(props)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join("\n")}\n`;
}

export type LogLevel = "ERROR" | "WARN" | "INFO" | "DEBUG";

/**
 * Log4j 2 config writing to stdout, which the caller points at the log file. Quiet by
 * default (WARN), but the server lifecycle lines ("Kafka Server started", shutdown) stay
 * in so the log shows when the broker came up and went down.
 */
export function log4j2Properties(level: LogLevel): string {
  return [
    "status = warn",
    "appender.out.type = Console",
    "appender.out.name = out",
    "appender.out.layout.type = PatternLayout",
    "appender.out.layout.pattern = [%d] %p %m (%c)%n",
    `rootLogger.level = ${level}`,
    "rootLogger.appenderRef.out.ref = out",
    "logger.server.name = kafka.server.KafkaRaftServer",
    `logger.server.level = ${level === "ERROR" || level === "WARN" ? "INFO" : level}`,
    "",
  ].join("\n");
}
