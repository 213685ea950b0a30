export { createResonateAuth } from "./resonate-auth.js";
export {
  parseResonateRequests,
  type ResonateRequestCounts,
  scrapeResonateRequests,
} from "./resonate-metrics.js";
export { type StartResonateServerOptions, startResonateServer } from "./resonate-server.js";
export { type Broker, type StartBrokerOptions, startBroker } from "./start-broker.js";
export { type StartPostgresOptions, startPostgres } from "./start-postgres.js";
export { uniqueName } from "./unique-name.js";
