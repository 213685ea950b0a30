import type { KafkaSecurity } from "@deletion/cli-kit";

export type { KafkaSecurity };

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
