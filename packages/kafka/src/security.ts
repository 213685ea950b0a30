import { z } from "zod";

export const SECURITY_PROTOCOLS = ["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"] as const;
/** SCRAM first: PLAIN hands the password itself to the broker. */
export const SASL_MECHANISMS = ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] as const;
export const DEFAULT_SASL_MECHANISM = "SCRAM-SHA-512";

export const SecurityProtocolSchema = z.enum(SECURITY_PROTOCOLS);
export const SaslMechanismSchema = z.enum(SASL_MECHANISMS);

/**
 * How a client authenticates to the brokers and whether it talks TLS, once the settings are
 * known to fit together: `sasl` is there exactly for the sasl_* protocols, `tls` only for ssl
 * and sasl_ssl (without a CA file the system's trusted CAs apply).
 */
export const KafkaSecuritySchema = z.object({
  protocol: SecurityProtocolSchema,
  sasl: z
    .object({ mechanism: SaslMechanismSchema, username: z.string().min(1), password: z.string().min(1) })
    .optional(),
  tls: z
    .object({
      caFile: z.string().min(1).optional(),
      certFile: z.string().min(1).optional(),
      keyFile: z.string().min(1).optional(),
    })
    .optional(),
});
export type KafkaSecurity = z.infer<typeof KafkaSecuritySchema>;
export type SecurityProtocol = KafkaSecurity["protocol"];

/**
 * The librdkafka properties for SASL and TLS, passed next to the client's `kafkaJS` block. No
 * settings means plaintext without authentication, librdkafka's default.
 */
export function librdkafkaSecurity(security: KafkaSecurity | undefined): Record<string, string> {
  if (!security) return {};
  const properties: Record<string, string> = { "security.protocol": security.protocol };
  if (security.sasl) {
    properties["sasl.mechanisms"] = security.sasl.mechanism;
    properties["sasl.username"] = security.sasl.username;
    properties["sasl.password"] = security.sasl.password;
  }
  if (security.tls?.caFile) properties["ssl.ca.location"] = security.tls.caFile;
  if (security.tls?.certFile) properties["ssl.certificate.location"] = security.tls.certFile;
  if (security.tls?.keyFile) properties["ssl.key.location"] = security.tls.keyFile;
  return properties;
}
