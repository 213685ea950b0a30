import { randomBytes } from "node:crypto";
import { SCRAM_MECHANISMS, type ScramMechanism, type SecuredListeners } from "./kafka-config.js";
import { createTlsMaterial } from "./tls-material.js";

export interface ScramUser {
  mechanism: ScramMechanism;
  username: string;
  password: string;
}

/** What a test needs to reach the secured listeners of a local broker. */
export interface SecuredKafka {
  /** SASL_SSL: SCRAM-SHA-512 or SCRAM-SHA-256 over TLS, the broker's certificate signed by `caFile`. */
  saslSslBootstrapServers: string;
  /** SSL that requires a client certificate signed by `caFile` (mutual TLS), no SASL. */
  mutualTlsBootstrapServers: string;
  caFile: string;
  /** A CA that signed neither certificate. */
  untrustedCaFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** One user per SCRAM mechanism, each with a password made for this run. */
  users: ScramUser[];
}

/**
 * Certificates, users and listener settings for a broker whose files live in `dir` (its temp
 * dir, removed with it). The users go in with the storage format (`--add-scram`), so they exist
 * before the broker takes its first connection.
 */
export async function prepareSecuredKafka(
  dir: string,
  ports: { saslSslPort: number; mutualTlsPort: number },
): Promise<{ listeners: SecuredListeners; kafka: SecuredKafka; formatArgs: string[] }> {
  const tls = await createTlsMaterial(dir, ["127.0.0.1", "localhost"]);
  const users = SCRAM_MECHANISMS.map((mechanism) => ({
    mechanism,
    username: `deletion-${mechanism.slice("SCRAM-SHA-".length)}`,
    // Hex: the format tool's [name=...,password=...] syntax has no quoting.
    password: randomBytes(18).toString("hex"),
  }));
  return {
    listeners: { ...ports, keystoreFile: tls.brokerKeystoreFile, caFile: tls.caFile },
    kafka: {
      saslSslBootstrapServers: `127.0.0.1:${ports.saslSslPort}`,
      mutualTlsBootstrapServers: `127.0.0.1:${ports.mutualTlsPort}`,
      caFile: tls.caFile,
      untrustedCaFile: tls.untrustedCaFile,
      clientCertFile: tls.clientCertFile,
      clientKeyFile: tls.clientKeyFile,
      users,
    },
    formatArgs: users.flatMap((u) => [
      "--add-scram",
      `${u.mechanism}=[name=${u.username},password=${u.password}]`,
    ]),
  };
}
