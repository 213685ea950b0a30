import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CliSpec,
  kafkaSecurityCheck,
  kafkaSecurityEnv,
  kafkaSecurityOf,
  kafkaSecurityOptions,
  parseOptions,
  usage,
} from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "kafka-security-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const PASSWORD = "s3cret-Pa55word-from-the-test";
const caFile = file("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
const certFile = file("client.pem", "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n");
const keyFile = file("client.key", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
const ecKeyFile = file(
  "client-ec.key",
  "-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n",
);
const encryptedKeyFile = file(
  "encrypted.key",
  "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n",
);
const passwordFile = file("password", `${PASSWORD}\n`);
const emptyFile = file("empty", "\n");
const missing = join(dir, "no-such-file");

const spec = {
  name: "tool",
  summary: "talks to Kafka",
  options: kafkaSecurityOptions,
  checks: [kafkaSecurityCheck],
} satisfies CliSpec<typeof kafkaSecurityOptions>;

const parse = (argv: string[], env: Record<string, string> = {}) => parseOptions(spec, argv, env);

function problemsOf(argv: string[], env: Record<string, string> = {}): string {
  const result = parse(argv, env);
  if (result.kind !== "error") throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.message;
}

const saslEnv = {
  KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
  KAFKA_SASL_USERNAME: "deletor",
  KAFKA_SASL_PASSWORD: PASSWORD,
  KAFKA_SSL_CA_FILE: caFile,
};

describe("Kafka security options", () => {
  it("default to plaintext without SASL or TLS", () => {
    const result = parse([]);
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(kafkaSecurityOf(result.config)).toEqual({ protocol: "plaintext" });
  });

  it("build SASL over TLS from the environment, SCRAM-SHA-512 unless told otherwise", () => {
    const result = parse([], saslEnv);
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(kafkaSecurityOf(result.config)).toEqual({
      protocol: "sasl_ssl",
      sasl: { mechanism: "SCRAM-SHA-512", username: "deletor", password: PASSWORD },
      tls: { caFile },
    });
  });

  it("take Kafka's upper-case spelling and flags over variables", () => {
    const result = parse(["--kafka-sasl-mechanism", "scram-sha-256", "--kafka-sasl-username", "flag-user"], {
      ...saslEnv,
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
    });
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(kafkaSecurityOf(result.config).sasl).toMatchObject({
      mechanism: "SCRAM-SHA-256",
      username: "flag-user",
    });
  });

  it("read the password from a file, without its final line break", () => {
    const { KAFKA_SASL_PASSWORD: _, ...env } = saslEnv;
    const result = parse([], { ...env, KAFKA_SASL_PASSWORD_FILE: passwordFile });
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(result.config.saslPassword).toBeUndefined();
    expect(kafkaSecurityOf(result.config).sasl?.password).toBe(PASSWORD);
  });

  it("take a client certificate and key for mutual TLS, a key in any PEM flavour", () => {
    for (const key of [keyFile, ecKeyFile]) {
      const result = parse(["--kafka-ssl-cert-file", certFile, "--kafka-ssl-key-file", key], {
        KAFKA_SECURITY_PROTOCOL: "ssl",
        KAFKA_SSL_CA_FILE: caFile,
      });
      expect(result.kind).toBe("ok");
      if (result.kind !== "ok") return;
      expect(kafkaSecurityOf(result.config)).toEqual({
        protocol: "ssl",
        tls: { caFile, certFile, keyFile: key },
      });
    }
  });

  it.each([
    ["a protocol typo", { KAFKA_SECURITY_PROTOCOL: "sasl_tls" }, /^KAFKA_SECURITY_PROTOCOL = "sasl_tls": /],
    [
      "a mechanism typo",
      { ...saslEnv, KAFKA_SASL_MECHANISM: "SCRAM-SHA-1" },
      /^KAFKA_SASL_MECHANISM = "SCRAM-SHA-1": /,
    ],
    [
      "SASL without a username",
      { ...saslEnv, KAFKA_SASL_USERNAME: "" },
      /--kafka-sasl-username \/ KAFKA_SASL_USERNAME is required with --kafka-security-protocol \/ KAFKA_SECURITY_PROTOCOL = sasl_ssl/,
    ],
    [
      "SASL without a password",
      { KAFKA_SECURITY_PROTOCOL: "sasl_plaintext", KAFKA_SASL_USERNAME: "u" },
      /--kafka-sasl-password \/ KAFKA_SASL_PASSWORD or --kafka-sasl-password-file \/ KAFKA_SASL_PASSWORD_FILE is required/,
    ],
    [
      "the password twice",
      { ...saslEnv, KAFKA_SASL_PASSWORD_FILE: passwordFile },
      /KAFKA_SASL_PASSWORD and --kafka-sasl-password-file \/ KAFKA_SASL_PASSWORD_FILE are both set/,
    ],
    [
      "a CA file that is not there",
      { ...saslEnv, KAFKA_SSL_CA_FILE: missing },
      /^KAFKA_SSL_CA_FILE = ".*no-such-file": cannot read it \(ENOENT/,
    ],
    [
      "a CA file that is no certificate",
      { ...saslEnv, KAFKA_SSL_CA_FILE: keyFile },
      /KAFKA_SSL_CA_FILE = .*: not a PEM certificate/,
    ],
    [
      "an encrypted key",
      { KAFKA_SECURITY_PROTOCOL: "ssl", KAFKA_SSL_CERT_FILE: certFile, KAFKA_SSL_KEY_FILE: encryptedKeyFile },
      /KAFKA_SSL_KEY_FILE = .*: the private key is encrypted/,
    ],
    [
      "a certificate without its key",
      { KAFKA_SECURITY_PROTOCOL: "ssl", KAFKA_SSL_CERT_FILE: certFile },
      /--kafka-ssl-cert-file \/ KAFKA_SSL_CERT_FILE and --kafka-ssl-key-file \/ KAFKA_SSL_KEY_FILE go together/,
    ],
    [
      "SASL settings without a SASL protocol",
      { KAFKA_SASL_USERNAME: "u" },
      /KAFKA_SASL_USERNAME set, but .* = plaintext does not use SASL/,
    ],
    [
      "TLS settings without a TLS protocol",
      {
        KAFKA_SECURITY_PROTOCOL: "sasl_plaintext",
        KAFKA_SASL_USERNAME: "u",
        KAFKA_SASL_PASSWORD: "p",
        KAFKA_SSL_CA_FILE: caFile,
      },
      /KAFKA_SSL_CA_FILE set, but .* = sasl_plaintext does not use TLS/,
    ],
  ])("reject %s naming the setting", (_, env, pattern) => {
    expect(problemsOf([], env)).toMatch(pattern);
  });

  it("name the password file that cannot be read or is empty, never its content", () => {
    const { KAFKA_SASL_PASSWORD: _, ...env } = saslEnv;
    expect(problemsOf([], { ...env, KAFKA_SASL_PASSWORD_FILE: missing })).toMatch(
      /^KAFKA_SASL_PASSWORD_FILE = ".*no-such-file": cannot read it/,
    );
    expect(problemsOf([], { ...env, KAFKA_SASL_PASSWORD_FILE: emptyFile })).toMatch(
      /KAFKA_SASL_PASSWORD_FILE = .*: the file is empty/,
    );
  });

  it("never show the password: not in an error about it, nor in another, nor in --help", () => {
    const messages = [
      problemsOf(["--kafka-sasl-password", PASSWORD], { KAFKA_SASL_PASSWORD_FILE: passwordFile }),
      problemsOf([], { ...saslEnv, KAFKA_SASL_USERNAME: "" }),
      problemsOf(["--kafka-sasl-password", PASSWORD]),
      problemsOf([], { KAFKA_SASL_PASSWORD: PASSWORD, KAFKA_SECURITY_PROTOCOL: "nope" }),
      usage(spec),
    ];
    for (const message of messages) expect(message).not.toContain(PASSWORD);
    expect(usage(spec)).toMatch(
      /--kafka-sasl-password <value> .*\[env KAFKA_SASL_PASSWORD\] \(secret: never shown\)/,
    );
  });

  it("hand the same settings to a child process, unset ones removed", () => {
    const { KAFKA_SASL_PASSWORD: _, ...env } = saslEnv;
    const result = parse([], { ...env, KAFKA_SASL_PASSWORD_FILE: passwordFile });
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(kafkaSecurityEnv(result.config)).toEqual({
      KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
      KAFKA_SASL_MECHANISM: undefined,
      KAFKA_SASL_USERNAME: "deletor",
      KAFKA_SASL_PASSWORD: undefined,
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SSL_CERT_FILE: undefined,
      KAFKA_SSL_KEY_FILE: undefined,
    });
  });
});
