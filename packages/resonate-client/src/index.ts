export { DEFAULT_FINISHED_KEPT } from "./compacting-local-network.js";
export { GuardedHttpNetwork } from "./guarded-network.js";
export type { HttpTransport, TransportRequest } from "./http-transport.js";
export { type LocalRunEnd, LocalRunEnds } from "./local-run-ends.js";
export {
  createPayloadCipher,
  type PayloadCipher,
  type PayloadCipherOptions,
  PayloadDecryptionError,
  type PayloadEncryptionMode,
  type PayloadKey,
  PLAINTEXT_PAYLOADS,
} from "./payload-encryption.js";
export {
  createResonateClient,
  DEFAULT_TASK_TTL_MS,
  type Durability,
  probeResonate,
  type ResonateClient,
  type ResonateClientConfig,
} from "./resonate-client.js";
export { resonateLogger } from "./resonate-logger.js";
export { describeToken, explainAuthRefusal, requestResourceId, tokenScopeProblem } from "./resonate-token.js";
export { SealingNetwork, UNREADABLE_PREFIX, unreadableGuard } from "./sealing-network.js";
export { reportSecurity } from "./security-report.js";
export type { ResonateHealth, ServerGuardOptions } from "./server-guard.js";
export {
  PROTOCOL_VERSION,
  type ServerAnswer,
  type ServerRequest,
  type ServerRequestsOptions,
  serverRequests,
} from "./server-requests.js";
export {
  openStoredPromise,
  readClientPromise,
  type StoredPromise,
  type StoredValue,
} from "./stored-promise.js";
export { TaskCreateOutcomes, taskCreateOutcome } from "./task-create-outcomes.js";
