export type PropertyValue = string | number | boolean;

export interface ServerConfigInput {
  brokerPort: number;
  controllerPort: number;
  dataDir: string;
  overrides?: Record<string, PropertyValue>;
}

/** server.properties for one node that is both KRaft controller and broker on 127.0.0.1. */
export function serverProperties({
  brokerPort,
  controllerPort,
  dataDir,
  overrides = {},
}: ServerConfigInput): string {
  const props: Record<string, PropertyValue> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    // A static voter set lets `StorageTool format` work without --standalone on 3.9 and 4.x.
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${brokerPort}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
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
