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
  /** One user per SCRAM mechanism, each with a password made for this run, then any named users (SCRAM-SHA-512). */
  users: ScramUser[];
  /**
   * With an authorizer: the super user `admin` (SCRAM-SHA-512), who may create ACLs. Every
   * other user of the SASL_SSL listener may then do only what an ACL allows.
   */
  admin?: ScramUser;
}

/** Ask for ACLs to be enforced, with these SCRAM-SHA-512 users besides the admin. */
export interface AuthorizerOptions {
  users: string[];
}

const ADMIN = "admin";
// Hex: the format tool's [name=...,password=...] syntax has no quoting.
const newPassword = () => randomBytes(18).toString("hex");

/**
 * Certificates, users and listener settings for a broker whose files live in `dir` (its temp
 * dir, removed with it). The users go in with the storage format (`--add-scram`), so they exist
 * before the broker takes its first connection.
 */
export async function prepareSecuredKafka(
  dir: string,
  ports: { saslSslPort: number; mutualTlsPort: number },
  authorizer?: AuthorizerOptions,
): Promise<{ listeners: SecuredListeners; kafka: SecuredKafka; formatArgs: string[] }> {
  const tls = await createTlsMaterial(dir, ["127.0.0.1", "localhost"]);
  const named = (username: string): ScramUser => ({
    mechanism: "SCRAM-SHA-512",
    username,
    password: newPassword(),
  });
  const users: ScramUser[] = [
    ...SCRAM_MECHANISMS.map((mechanism) => ({
      mechanism,
      username: `deletion-${mechanism.slice("SCRAM-SHA-".length)}`,
      password: newPassword(),
    })),
    ...(authorizer?.users ?? []).map(named),
  ];
  const admin = authorizer ? named(ADMIN) : undefined;
  const everyone = admin ? [...users, admin] : users;
  return {
    listeners: {
      ...ports,
      keystoreFile: tls.brokerKeystoreFile,
      caFile: tls.caFile,
      ...(admin ? { superUsers: [`User:${admin.username}`] } : {}),
    },
    kafka: {
      saslSslBootstrapServers: `127.0.0.1:${ports.saslSslPort}`,
      mutualTlsBootstrapServers: `127.0.0.1:${ports.mutualTlsPort}`,
      caFile: tls.caFile,
      untrustedCaFile: tls.untrustedCaFile,
      clientCertFile: tls.clientCertFile,
      clientKeyFile: tls.clientKeyFile,
      users,
      ...(admin ? { admin } : {}),
    },
    formatArgs: everyone.flatMap((u) => [
      "--add-scram",
      `${u.mechanism}=[name=${u.username},password=${u.password}]`,
    ]),
  };
}
