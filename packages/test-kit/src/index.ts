export { freePort } from "./free-port.js";
export { type LogLevel, log4j2Properties, type PropertyValue, serverProperties } from "./kafka-config.js";
export { type ApiVersionsReply, probeApiVersions } from "./kafka-probe.js";
export { type LocalKafka, LocalKafkaError, type LocalKafkaOptions, startLocalKafka } from "./local-kafka.js";
export {
  type Broker,
  type BrokerKind,
  REDPANDA_IMAGE,
  type StartBrokerOptions,
  startBroker,
} from "./start-broker.js";
export { uniqueName } from "./unique-name.js";
