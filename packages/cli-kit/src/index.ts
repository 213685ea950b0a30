export { brokersOption, connectTimeoutOption, loggingOptions } from "./common-options.js";
export { exitHardOnUncaughtException, hardExit } from "./hard-exit.js";
export {
  kafkaSecurityCheck,
  kafkaSecurityEnv,
  kafkaSecurityOf,
  kafkaSecurityOptions,
} from "./kafka-security-options.js";
export { createLogger, type Logger } from "./logger.js";
export {
  type CliSpec,
  type ConfigCheck,
  type ConfigOf,
  type OptionSpec,
  type OptionSpecs,
  option,
  optionName,
  type ParseResult,
  parseOptions,
  usage,
} from "./options.js";
export { splitPositionals } from "./positionals.js";
export { requestSignerOf, requestSigningCheck, requestSigningOptions } from "./request-signing-options.js";
export {
  type PayloadKeyConfig,
  PayloadKeyListSchema,
  PayloadKeySchema,
  PromiseIdKeySchema,
  payloadEncryptionOption,
  payloadKeyOptions,
  promiseIdKeyOptions,
  type ResonateSecurity,
  type ResonateSecurityConfig,
  resonateSecurityCheck,
  resonateSecurityOf,
  resonateTokenOptions,
} from "./resonate-security-options.js";
export { EXIT_USAGE, runCli } from "./run-cli.js";
export { handleShutdownSignals } from "./shutdown.js";
