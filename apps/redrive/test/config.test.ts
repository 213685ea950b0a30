import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseOptions, requestSignerOf, usage } from "@deletion/cli-kit";
import { afterAll, describe, expect, it } from "vitest";
import { redriveCli } from "../src/config.js";

const parse = (argv: string[], env: Record<string, string> = {}) => parseOptions(redriveCli, argv, env);

describe("redrive flags", () => {
  it("defaults to re-driving failed deletions from the dead-letter topic to the request topic", () => {
    const parsed = parse([]);
    expect(parsed.kind).toBe("ok");
    if (parsed.kind !== "ok") return;
    expect(parsed.config).toMatchObject({
      brokers: "localhost:19092",
      deadLetterTopic: "records_to_be_deleted_dlq",
      inputTopic: "records_to_be_deleted",
      groupId: "deletion-redrive",
      dryRun: false,
      fromBeginning: false,
    });
    expect([...parsed.config.reasons]).toEqual(["WORKFLOW_FAILED"]);
  });

  it("takes a list of reasons, switches, and environment variables when flags are absent", () => {
    const parsed = parse(["--reason", "WORKFLOW_FAILED, FOREIGN_PROMISE", "--dry-run", "--from-beginning"], {
      KAFKA_BROKERS: "k:9092",
      DEAD_LETTER_TOPIC: "dlq",
    });
    expect(parsed.kind).toBe("ok");
    if (parsed.kind !== "ok") return;
    expect([...parsed.config.reasons]).toEqual(["WORKFLOW_FAILED", "FOREIGN_PROMISE"]);
    expect(parsed.config).toMatchObject({
      dryRun: true,
      fromBeginning: true,
      brokers: "k:9092",
      deadLetterTopic: "dlq",
    });
    const fromEnv = parse([], { REDRIVE_REASONS: "FOREIGN_PROMISE" });
    expect(fromEnv.kind === "ok" && [...fromEnv.config.reasons]).toEqual(["FOREIGN_PROMISE"]);
  });

  it.each([
    [["--reason", "NOPE"], "--reason"],
    [["--reason", ","], "--reason"],
    [["--timeout-ms", "0"], "--timeout-ms"],
    [["--group-id", ""], "--group-id"],
  ])("rejects %j naming %s", (argv, flag) => {
    const parsed = parse(argv);
    expect(parsed.kind).toBe("error");
    if (parsed.kind === "error") expect(parsed.message).toContain(flag);
  });

  it("lists every reason code and says what re-running does in --help", () => {
    const text = usage(redriveCli);
    expect(text).toMatch(/^Usage: redrive /);
    expect(text).toContain("WORKFLOW_FAILED, FOREIGN_PROMISE");
    expect(text).toContain("Re-running is safe");
  });
});

describe("redrive broker security settings", () => {
  it("takes SASL over TLS and checks that the settings fit together, naming them", () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
      KAFKA_SASL_USERNAME: "app",
      KAFKA_SASL_PASSWORD: "pw",
    };
    expect(parseOptions(redriveCli, [], env)).toMatchObject({
      kind: "ok",
      config: { securityProtocol: "sasl_ssl", saslUsername: "app", saslPassword: "pw" },
    });
    const { KAFKA_SASL_USERNAME: _, ...withoutUser } = env;
    const result = parseOptions(redriveCli, [], withoutUser);
    expect(result.kind === "error" && result.message).toMatch(/KAFKA_SASL_USERNAME is required/);
  });
});

describe("redrive signing", () => {
  const dir = mkdtempSync(join(tmpdir(), "redrive-signing-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, "producer.pem");
  writeFileSync(
    keyFile,
    String(generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" })),
  );

  it("signs with a key file and its id, given together", () => {
    const parsed = parse([], { REQUEST_SIGNING_KEY_FILE: keyFile, REQUEST_SIGNING_KEY_ID: "p1" });
    expect(parsed.kind).toBe("ok");
    if (parsed.kind === "ok") expect(requestSignerOf(parsed.config)?.keyId).toBe("p1");
    const alone = parse([], { REQUEST_SIGNING_KEY_FILE: keyFile });
    expect(alone.kind === "error" && alone.message).toMatch(/REQUEST_SIGNING_KEY_ID.*go together/);
  });

  it("refuses a key file that holds no Ed25519 private key, naming the setting", () => {
    const notKey = join(dir, "not-a-key.pem");
    writeFileSync(notKey, "hello\n");
    const refused = parse([], { REQUEST_SIGNING_KEY_FILE: notKey, REQUEST_SIGNING_KEY_ID: "p1" });
    expect(refused.kind === "error" && refused.message).toMatch(
      /REQUEST_SIGNING_KEY_FILE.*not an unencrypted PEM private key/,
    );
  });

  it("never re-drives UNAUTHENTICATED requests (it would sign what the workers refused)", () => {
    const refused = parse(["--reason", "WORKFLOW_FAILED,UNAUTHENTICATED"]);
    expect(refused.kind === "error" && refused.message).toMatch(/UNAUTHENTICATED requests are not re-driven/);
  });
});
