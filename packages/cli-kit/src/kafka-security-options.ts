import {
  DEFAULT_SASL_MECHANISM,
  type KafkaSecurity,
  KafkaSecuritySchema,
  SASL_MECHANISMS,
  SaslMechanismSchema,
  SECURITY_PROTOCOLS,
  type SecurityProtocol,
  SecurityProtocolSchema,
} from "@deletion/kafka/security";
import { z } from "zod";
import {
  PEM_CERTIFICATE,
  PEM_PRIVATE_KEY,
  pemFileSchema,
  readSecretFile,
  secretFileSchema,
} from "./file-options.js";
import { type ConfigCheck, type ConfigOf, option, optionName } from "./options.js";

const usesSasl = (protocol: SecurityProtocol) => protocol.startsWith("sasl_");
const usesTls = (protocol: SecurityProtocol) => protocol === "ssl" || protocol === "sasl_ssl";

/** Kafka's own spelling is either case (SASL_SSL, sasl_ssl); both are taken. */
const caseless = <T extends z.ZodType<unknown, string>>(schema: T, to: "lower" | "upper") =>
  z
    .string()
    .transform((text) => (to === "lower" ? text.toLowerCase() : text.toUpperCase()))
    .pipe(schema);

/** The broker connection settings every app that talks to Kafka takes; see kafkaSecurityCheck. */
export const kafkaSecurityOptions = {
  securityProtocol: option({
    flag: "kafka-security-protocol",
    env: "KAFKA_SECURITY_PROTOCOL",
    description: `how to connect to the brokers: ${SECURITY_PROTOCOLS.join(", ")} (ssl: TLS; sasl_ssl: SASL over TLS)`,
    schema: caseless(SecurityProtocolSchema, "lower").default("plaintext"),
  }),
  saslMechanism: option({
    flag: "kafka-sasl-mechanism",
    env: "KAFKA_SASL_MECHANISM",
    description: `with sasl_*: ${SASL_MECHANISMS.join(", ")} (unset: ${DEFAULT_SASL_MECHANISM})`,
    schema: caseless(SaslMechanismSchema, "upper").optional(),
  }),
  saslUsername: option({
    flag: "kafka-sasl-username",
    env: "KAFKA_SASL_USERNAME",
    description: "with sasl_*: the user to authenticate as",
    schema: z.string().min(1).optional(),
  }),
  saslPassword: option({
    flag: "kafka-sasl-password",
    env: "KAFKA_SASL_PASSWORD",
    description:
      "with sasl_*: its password (prefer the file or the variable: a flag shows in the process list)",
    secret: true,
    schema: z.string().min(1).optional(),
  }),
  saslPasswordFile: option({
    flag: "kafka-sasl-password-file",
    env: "KAFKA_SASL_PASSWORD_FILE",
    description: "with sasl_*: a file holding the password (instead of KAFKA_SASL_PASSWORD)",
    schema: secretFileSchema.optional(),
  }),
  sslCaFile: option({
    flag: "kafka-ssl-ca-file",
    env: "KAFKA_SSL_CA_FILE",
    description:
      "with ssl / sasl_ssl: PEM file of the CA(s) that signed the brokers' certificates (unset: the system's)",
    schema: pemFileSchema(PEM_CERTIFICATE).optional(),
  }),
  sslCertFile: option({
    flag: "kafka-ssl-cert-file",
    env: "KAFKA_SSL_CERT_FILE",
    description: "with ssl / sasl_ssl: PEM client certificate, for brokers that require one (mutual TLS)",
    schema: pemFileSchema(PEM_CERTIFICATE).optional(),
  }),
  sslKeyFile: option({
    flag: "kafka-ssl-key-file",
    env: "KAFKA_SSL_KEY_FILE",
    description: "with ssl / sasl_ssl: PEM private key of that client certificate (unencrypted)",
    schema: pemFileSchema(PEM_PRIVATE_KEY).optional(),
  }),
};

export type KafkaSecurityConfig = ConfigOf<typeof kafkaSecurityOptions>;

const named = (key: keyof typeof kafkaSecurityOptions) => optionName(kafkaSecurityOptions[key]);
const SASL_KEYS = ["saslMechanism", "saslUsername", "saslPassword", "saslPasswordFile"] as const;
const TLS_KEYS = ["sslCaFile", "sslCertFile", "sslKeyFile"] as const;

/** The settings that must fit together; every problem names the flags and variables involved. */
export const kafkaSecurityCheck: ConfigCheck<KafkaSecurityConfig> = {
  problems(config) {
    const problems: string[] = [];
    const protocol = config.securityProtocol;
    const protocolName = named("securityProtocol");
    if (config.saslPassword !== undefined && config.saslPasswordFile !== undefined) {
      problems.push(
        `${named("saslPassword")} and ${named("saslPasswordFile")} are both set: give the password one way`,
      );
    }
    if (usesSasl(protocol)) {
      if (config.saslUsername === undefined)
        problems.push(`${named("saslUsername")} is required with ${protocolName} = ${protocol}`);
      if (config.saslPassword === undefined && config.saslPasswordFile === undefined)
        problems.push(
          `${named("saslPassword")} or ${named("saslPasswordFile")} is required with ${protocolName} = ${protocol}`,
        );
    } else {
      const given = SASL_KEYS.filter((key) => config[key] !== undefined);
      if (given.length > 0)
        problems.push(
          `${given.map(named).join(", ")} set, but ${protocolName} = ${protocol} does not use SASL (sasl_ssl or sasl_plaintext does)`,
        );
    }
    if (usesTls(protocol)) {
      if ((config.sslCertFile === undefined) !== (config.sslKeyFile === undefined))
        problems.push(`${named("sslCertFile")} and ${named("sslKeyFile")} go together: give both or neither`);
    } else {
      const given = TLS_KEYS.filter((key) => config[key] !== undefined);
      if (given.length > 0)
        problems.push(
          `${given.map(named).join(", ")} set, but ${protocolName} = ${protocol} does not use TLS (ssl or sasl_ssl does)`,
        );
    }
    return problems;
  },
};

/**
 * The client settings of a configuration that passed kafkaSecurityCheck; a password file is
 * read here (again), so the secret lives in the settings only, not in the parsed options.
 */
export function kafkaSecurityOf(config: KafkaSecurityConfig): KafkaSecurity {
  const protocol = config.securityProtocol;
  const password =
    config.saslPassword ?? (config.saslPasswordFile ? readSecretFile(config.saslPasswordFile) : undefined);
  return KafkaSecuritySchema.parse({
    protocol,
    ...(usesSasl(protocol)
      ? {
          sasl: {
            mechanism: config.saslMechanism ?? DEFAULT_SASL_MECHANISM,
            username: config.saslUsername,
            password,
          },
        }
      : {}),
    ...(usesTls(protocol)
      ? { tls: { caFile: config.sslCaFile, certFile: config.sslCertFile, keyFile: config.sslKeyFile } }
      : {}),
  });
}

/**
 * The same settings as environment variables for a child process (a worker the demo starts):
 * every variable of the set is named, unset ones as undefined, so the child inherits none of
 * its parent's that would contradict them. A password from a file is passed as the file.
 */
export function kafkaSecurityEnv(config: KafkaSecurityConfig): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, spec] of Object.entries(kafkaSecurityOptions)) {
    const value = config[key as keyof KafkaSecurityConfig];
    if (spec.env) env[spec.env] = value === undefined ? undefined : String(value);
  }
  return env;
}
