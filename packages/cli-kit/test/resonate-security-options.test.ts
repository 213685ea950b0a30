import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CliSpec,
  PayloadKeyListSchema,
  PayloadKeySchema,
  parseOptions,
  payloadEncryptionOption,
  payloadKeyOptions,
  promiseIdKeyOptions,
  resonateSecurityCheck,
  resonateSecurityOf,
  resonateTokenOptions,
  usage,
} from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "resonate-security-options-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const TOKEN = `${part({ alg: "EdDSA" })}.${part({ prefix: "deletion/", exp: 2_000_000_000 })}.c2lnbmF0dXJlLW9mLXRoZS10ZXN0`;
const keyText = (id: string, bytes = 32) => `${id}:${randomBytes(bytes).toString("base64")}`;
const KEY = keyText("k2");
const OLD = keyText("k1");

const options = {
  ...resonateTokenOptions,
  ...payloadKeyOptions,
  ...payloadEncryptionOption,
  ...promiseIdKeyOptions,
};
const spec = {
  name: "worker",
  summary: "talks to Resonate",
  options,
  checks: [resonateSecurityCheck],
} satisfies CliSpec<typeof options>;
const parse = (argv: string[], env: Record<string, string> = {}) => parseOptions(spec, argv, env);

function problemsOf(argv: string[], env: Record<string, string> = {}): string {
  const result = parse(argv, env);
  if (result.kind !== "error") throw new Error(`expected an error, got ${result.kind}`);
  return result.message;
}

describe("Resonate token and payload key options", () => {
  it("default: no token, plain payloads, no keys", () => {
    const result = parse([]);
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(resonateSecurityOf(result.config)).toEqual({
      token: undefined,
      payloads: { mode: "none", current: undefined, old: [], strict: false },
      promiseIdKey: undefined,
    });
  });

  it("reads the promise id key from a variable or a file, and refuses a short one naming the setting", () => {
    const idKey = randomBytes(32).toString("base64");
    for (const env of [
      { RESONATE_PROMISE_ID_KEY: idKey } as Record<string, string>,
      { RESONATE_PROMISE_ID_KEY_FILE: file("id-key", `${idKey}\n`) },
    ]) {
      const result = parse([], env);
      expect(result.kind).toBe("ok");
      if (result.kind !== "ok") continue;
      expect(resonateSecurityOf(result.config).promiseIdKey?.toString("base64")).toBe(idKey);
    }
    const short = randomBytes(16).toString("base64");
    const message = problemsOf([], { RESONATE_PROMISE_ID_KEY_FILE: file("short-id-key", short) });
    expect(message).toContain("RESONATE_PROMISE_ID_KEY_FILE");
    expect(message).toContain("at least 32 bytes");
    expect(message).not.toContain(short);
    expect(
      problemsOf([], { RESONATE_PROMISE_ID_KEY: idKey, RESONATE_PROMISE_ID_KEY_FILE: file("k", idKey) }),
    ).toContain("give the promise id key one way");
  });

  it("strict payload reading needs a key, and encryption to write with", () => {
    expect(
      problemsOf([], { RESONATE_PAYLOAD_STRICT: "true", RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm" }),
    ).toContain("RESONATE_PAYLOAD_STRICT");
    expect(problemsOf([], { RESONATE_PAYLOAD_STRICT: "true", RESONATE_ENCRYPTION_KEY: KEY })).toContain(
      "RESONATE_PAYLOAD_ENCRYPTION",
    );
    const ok = parse([], {
      RESONATE_PAYLOAD_STRICT: "true",
      RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm",
      RESONATE_ENCRYPTION_KEY: KEY,
    });
    expect(ok.kind).toBe("ok");
    if (ok.kind === "ok") expect(resonateSecurityOf(ok.config).payloads.strict).toBe(true);
  });

  it("reads the token and keys from variables or from files (a file's last line break dropped)", () => {
    const fromEnv = parse([], {
      RESONATE_TOKEN: TOKEN,
      RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm",
      RESONATE_ENCRYPTION_KEY: KEY,
      RESONATE_ENCRYPTION_OLD_KEYS: OLD,
    });
    const fromFiles = parse([], {
      RESONATE_TOKEN_FILE: file("token", `${TOKEN}\n`),
      RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm",
      RESONATE_ENCRYPTION_KEY_FILE: file("key", `${KEY}\n`),
      RESONATE_ENCRYPTION_OLD_KEYS_FILE: file("old", `# rotated out\n${OLD}\n`),
    });
    for (const result of [fromEnv, fromFiles]) {
      expect(result.kind).toBe("ok");
      if (result.kind !== "ok") continue;
      const security = resonateSecurityOf(result.config);
      expect(security.token).toBe(TOKEN);
      expect(security.payloads.mode).toBe("aes-256-gcm");
      expect(security.payloads.current?.id).toBe("k2");
      expect(security.payloads.current?.key.toString("base64")).toBe(KEY.slice(3));
      expect(security.payloads.old.map((k) => k.id)).toEqual(["k1"]);
    }
  });

  it("aes-256-gcm without a key: names the mode and both ways to give one", () => {
    expect(problemsOf([], { RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm" })).toBe(
      "--payload-encryption / RESONATE_PAYLOAD_ENCRYPTION = aes-256-gcm needs a key: set --encryption-key / RESONATE_ENCRYPTION_KEY or --encryption-key-file / RESONATE_ENCRYPTION_KEY_FILE",
    );
  });

  it("a secret given both ways: names both", () => {
    expect(problemsOf([], { RESONATE_TOKEN: TOKEN, RESONATE_TOKEN_FILE: file("t2", TOKEN) })).toBe(
      "--resonate-token / RESONATE_TOKEN and --resonate-token-file / RESONATE_TOKEN_FILE are both set: give the token one way",
    );
    expect(
      problemsOf([], { RESONATE_ENCRYPTION_KEY: KEY, RESONATE_ENCRYPTION_KEY_FILE: file("k3", KEY) }),
    ).toMatch(/RESONATE_ENCRYPTION_KEY and .*RESONATE_ENCRYPTION_KEY_FILE are both set/);
  });

  it("bad values, in a variable or a file, are named and never shown", () => {
    const short = keyText("k2", 16);
    const messages = [
      problemsOf([], { RESONATE_ENCRYPTION_KEY: short }),
      problemsOf([], { RESONATE_ENCRYPTION_KEY_FILE: file("short", short) }),
      problemsOf([], { RESONATE_TOKEN: "not-a-jwt-but-secret" }),
      problemsOf([], { RESONATE_TOKEN_FILE: file("bad-token", "not-a-jwt-but-secret") }),
      problemsOf([], { RESONATE_TOKEN_FILE: join(dir, "missing") }),
      problemsOf([], { RESONATE_ENCRYPTION_KEY: KEY, RESONATE_ENCRYPTION_OLD_KEYS: `k2:${OLD.slice(3)}` }),
    ];
    expect(messages[0]).toMatch(
      /^RESONATE_ENCRYPTION_KEY = \(set; not shown\): key k2: the key must be 32 bytes/,
    );
    expect(messages[1]).toMatch(
      /^--encryption-key-file \/ RESONATE_ENCRYPTION_KEY_FILE: the file key k2: the key must be 32 bytes/,
    );
    expect(messages[2]).toMatch(/^RESONATE_TOKEN .*must be a JWT/);
    expect(messages[3]).toMatch(/^--resonate-token-file \/ RESONATE_TOKEN_FILE: the file must be a JWT/);
    expect(messages[4]).toMatch(/RESONATE_TOKEN_FILE.*cannot read it/);
    expect(messages[5]).toMatch(/key id k2 names two different keys/);
    const all = messages.join("\n");
    for (const secret of [short.slice(3), "not-a-jwt-but-secret", KEY.slice(3), OLD.slice(3)]) {
      expect(all).not.toContain(secret);
    }
  });

  it("--help names every setting and shows no secret's value", () => {
    const text = usage(spec);
    for (const name of [
      "RESONATE_TOKEN_FILE",
      "RESONATE_ENCRYPTION_KEY_FILE",
      "RESONATE_ENCRYPTION_OLD_KEYS_FILE",
    ])
      expect(text).toContain(name);
    expect(text).toContain("(secret: never shown)");
  });
});

describe("payload key text", () => {
  it("reads <id>:<base64 of 32 bytes>", () => {
    const parsed = PayloadKeySchema.parse(KEY);
    expect(parsed.id).toBe("k2");
    expect(parsed.key.toString("base64")).toBe(KEY.slice(3));
  });

  it("a list takes commas or lines and refuses an id given twice", () => {
    const list = PayloadKeyListSchema.parse(
      `# old keys\n${keyText("a")}\n\n${keyText("b")},${keyText("c")}\n`,
    );
    expect(list.map((k) => k.id)).toEqual(["a", "b", "c"]);
    const twice = PayloadKeyListSchema.safeParse(`${keyText("a")},${keyText("a")}`);
    expect(twice.success ? "" : twice.error.issues[0]?.message).toBe("key id a is given twice");
    const badId = PayloadKeySchema.safeParse(`-x:${randomBytes(32).toString("base64")}`);
    expect(badId.success).toBe(false);
  });
});
