import { z } from "zod";
import { readSecretFile, secretFileSchema } from "./file-options.js";
import { type ConfigCheck, type ConfigOf, option, optionName } from "./options.js";

/*
 * The settings of an app that talks to a Resonate server with auth on and reads (or writes)
 * encrypted promise payloads: a bearer token, the payload keys, and whether new values are
 * encrypted. Each secret comes as a value or as a file (`*_FILE`), never both; neither is ever
 * shown (options.ts `secret`, and the messages here quote no value).
 */

/** A JWT: three base64url parts. */
export const ResonateTokenSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, {
    error: "must be a JWT (three base64url parts joined by '.')",
  });

export const PAYLOAD_ENCRYPTION_MODES = ["none", "aes-256-gcm"] as const;
export const PayloadEncryptionModeSchema = z.enum(PAYLOAD_ENCRYPTION_MODES);

export const PAYLOAD_KEY_BYTES = 32;
export const PAYLOAD_KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** One payload key, `<id>:<base64 of 32 bytes>` (`openssl rand -base64 32` makes one). */
export const PayloadKeySchema = z.string().transform((text, ctx): { id: string; key: Buffer } => {
  const at = text.indexOf(":");
  const id = at < 0 ? "" : text.slice(0, at).trim();
  const encoded = at < 0 ? "" : text.slice(at + 1).trim();
  if (!PAYLOAD_KEY_ID_PATTERN.test(id)) {
    ctx.addIssue({
      code: "custom",
      message:
        "must be <key id>:<base64 key>, the id 1-32 letters, digits and . _ - (starting with a letter or digit)",
    });
    return z.NEVER;
  }
  const key = BASE64.test(encoded) ? Buffer.from(encoded, "base64") : Buffer.alloc(0);
  if (key.length !== PAYLOAD_KEY_BYTES) {
    ctx.addIssue({
      code: "custom",
      message: `key ${id}: the key must be ${PAYLOAD_KEY_BYTES} bytes in base64 (e.g. from openssl rand -base64 ${PAYLOAD_KEY_BYTES})`,
    });
    return z.NEVER;
  }
  return { id, key };
});
export type PayloadKeyConfig = z.output<typeof PayloadKeySchema>;

/** Keys only read with: `<id>:<base64>` separated by commas or lines; blank and # lines skipped. */
export const PayloadKeyListSchema = z.string().transform((text, ctx): PayloadKeyConfig[] => {
  const keys: PayloadKeyConfig[] = [];
  const entries = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "" && !s.startsWith("#"));
  for (const entry of entries) {
    const parsed = PayloadKeySchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        ctx.addIssue({ code: "custom", message: `entry ${keys.length + 1}: ${issue.message}` });
      return z.NEVER;
    }
    if (keys.some((k) => k.id === parsed.data.id)) {
      ctx.addIssue({ code: "custom", message: `key id ${parsed.data.id} is given twice` });
      return z.NEVER;
    }
    keys.push(parsed.data);
  }
  return keys;
});

export const PROMISE_ID_KEY_MIN_BYTES = 32;

/** The promise id key: base64 of at least 32 bytes (`openssl rand -base64 32`). */
export const PromiseIdKeySchema = z.string().transform((text, ctx): Buffer => {
  const encoded = text.trim();
  const key = BASE64.test(encoded) ? Buffer.from(encoded, "base64") : Buffer.alloc(0);
  if (key.length < PROMISE_ID_KEY_MIN_BYTES) {
    ctx.addIssue({
      code: "custom",
      message: `must be at least ${PROMISE_ID_KEY_MIN_BYTES} bytes in base64 (e.g. from openssl rand -base64 ${PROMISE_ID_KEY_MIN_BYTES})`,
    });
    return z.NEVER;
  }
  return key;
});

/** The bearer token for a Resonate server started with --auth-publickey. */
export const resonateTokenOptions = {
  resonateToken: option({
    flag: "resonate-token",
    env: "RESONATE_TOKEN",
    description:
      "bearer token (a JWT) for a Resonate server that checks them; its prefix claim must cover the promise prefix (prefer the file: a flag shows in the process list)",
    secret: true,
    schema: ResonateTokenSchema.optional(),
  }),
  resonateTokenFile: option({
    flag: "resonate-token-file",
    env: "RESONATE_TOKEN_FILE",
    description: "a file holding that token (instead of RESONATE_TOKEN); read at start",
    schema: secretFileSchema.optional(),
  }),
};

/** The keys promise payloads are read with; apps that write payloads add payloadEncryptionOption. */
export const payloadKeyOptions = {
  encryptionKey: option({
    flag: "encryption-key",
    env: "RESONATE_ENCRYPTION_KEY",
    description:
      "payload key, <id>:<base64 of 32 bytes>: reads encrypted promise params and values, and encrypts new ones where --payload-encryption is aes-256-gcm",
    secret: true,
    schema: PayloadKeySchema.optional(),
  }),
  encryptionKeyFile: option({
    flag: "encryption-key-file",
    env: "RESONATE_ENCRYPTION_KEY_FILE",
    description: "a file holding that key (instead of RESONATE_ENCRYPTION_KEY)",
    schema: secretFileSchema.optional(),
  }),
  encryptionOldKeys: option({
    flag: "encryption-old-keys",
    env: "RESONATE_ENCRYPTION_OLD_KEYS",
    description:
      "earlier payload keys, <id>:<base64>,...: only read with, so promises written before a rotation stay readable",
    secret: true,
    schema: PayloadKeyListSchema.optional(),
  }),
  encryptionOldKeysFile: option({
    flag: "encryption-old-keys-file",
    env: "RESONATE_ENCRYPTION_OLD_KEYS_FILE",
    description: "a file holding those keys, one a line (instead of RESONATE_ENCRYPTION_OLD_KEYS)",
    schema: secretFileSchema.optional(),
  }),
  payloadStrict: option({
    flag: "payload-strict",
    env: "RESONATE_PAYLOAD_STRICT",
    kind: "boolean",
    description:
      "refuse promise values that are not encrypted with their promise id bound in (plain ones, and those written before that was done); needs a payload key",
    schema: z.boolean().default(false),
  }),
};

/**
 * The key promise ids are derived with: with it, a promise id carries a keyed hash of the record
 * id instead of the id. Every app that computes promise ids (worker, status) needs the same key.
 */
export const promiseIdKeyOptions = {
  promiseIdKey: option({
    flag: "promise-id-key",
    env: "RESONATE_PROMISE_ID_KEY",
    description:
      "key of the promise ids (base64 of 32+ bytes): promise ids carry HMAC-SHA-256 of the record id instead of the id; every worker and status need the same key, and changing it orphans earlier promises (prefer the file)",
    secret: true,
    schema: PromiseIdKeySchema.optional(),
  }),
  promiseIdKeyFile: option({
    flag: "promise-id-key-file",
    env: "RESONATE_PROMISE_ID_KEY_FILE",
    description: "a file holding that key (instead of RESONATE_PROMISE_ID_KEY)",
    schema: secretFileSchema.optional(),
  }),
};

export const payloadEncryptionOption = {
  payloadEncryption: option({
    flag: "payload-encryption",
    env: "RESONATE_PAYLOAD_ENCRYPTION",
    description:
      "how new promise params and values are stored: none, or aes-256-gcm (needs RESONATE_ENCRYPTION_KEY); values are read with the configured keys either way",
    schema: PayloadEncryptionModeSchema.default("none"),
  }),
};

const allOptions = {
  ...resonateTokenOptions,
  ...payloadKeyOptions,
  ...payloadEncryptionOption,
  ...promiseIdKeyOptions,
};
type AllConfig = ConfigOf<typeof allOptions>;
/** What the check reads: the token options, the key options, and the mode and id key where the app has them. */
export type ResonateSecurityConfig = ConfigOf<typeof resonateTokenOptions> &
  Omit<ConfigOf<typeof payloadKeyOptions>, "payloadStrict"> &
  Partial<Pick<ConfigOf<typeof payloadKeyOptions>, "payloadStrict">> &
  Partial<ConfigOf<typeof payloadEncryptionOption>> &
  Partial<ConfigOf<typeof promiseIdKeyOptions>>;

const named = (key: keyof AllConfig) => optionName(allOptions[key]);

const PAIRS = [
  ["resonateToken", "resonateTokenFile", "the token"],
  ["encryptionKey", "encryptionKeyFile", "the key"],
  ["encryptionOldKeys", "encryptionOldKeysFile", "the old keys"],
  ["promiseIdKey", "promiseIdKeyFile", "the promise id key"],
] as const;

/** A file's content through `schema`, or the problem naming the file's option (never the content). */
function fromFile<T>(
  path: string | undefined,
  key: keyof AllConfig,
  schema: z.ZodType<T, string>,
): { value?: T; problem?: string } {
  if (path === undefined) return {};
  const parsed = schema.safeParse(readSecretFile(path));
  if (parsed.success) return { value: parsed.data };
  return { problem: `${named(key)}: the file ${parsed.error.issues.map((i) => i.message).join("; ")}` };
}

/** Resolved settings (files read): the token, the mode and the keyring, the promise id key. */
export interface ResonateSecurity {
  token: string | undefined;
  payloads: {
    mode: z.output<typeof PayloadEncryptionModeSchema>;
    current: PayloadKeyConfig | undefined;
    old: PayloadKeyConfig[];
    strict: boolean;
  };
  promiseIdKey: Buffer | undefined;
}

function resolve(config: ResonateSecurityConfig): { security: ResonateSecurity; problems: string[] } {
  const problems: string[] = [];
  for (const [value, file, what] of PAIRS) {
    if (config[value] !== undefined && config[file] !== undefined)
      problems.push(`${named(value)} and ${named(file)} are both set: give ${what} one way`);
  }
  const token = fromFile(config.resonateTokenFile, "resonateTokenFile", ResonateTokenSchema);
  const key = fromFile(config.encryptionKeyFile, "encryptionKeyFile", PayloadKeySchema);
  const old = fromFile(config.encryptionOldKeysFile, "encryptionOldKeysFile", PayloadKeyListSchema);
  const idKey = fromFile(config.promiseIdKeyFile, "promiseIdKeyFile", PromiseIdKeySchema);
  problems.push(
    ...[token.problem, key.problem, old.problem, idKey.problem].filter((p): p is string => p !== undefined),
  );
  const strict = config.payloadStrict ?? false;
  const mode = config.payloadEncryption ?? "none";
  const current = config.encryptionKey ?? key.value;
  const oldKeys = config.encryptionOldKeys ?? old.value ?? [];
  if (mode === "aes-256-gcm" && current === undefined && key.problem === undefined) {
    problems.push(
      `${named("payloadEncryption")} = ${mode} needs a key: set ${named("encryptionKey")} or ${named("encryptionKeyFile")}`,
    );
  }
  if (strict && current === undefined && oldKeys.length === 0 && key.problem === undefined) {
    problems.push(
      `${named("payloadStrict")} needs a key to read with: set ${named("encryptionKey")} or ${named("encryptionKeyFile")}`,
    );
  }
  if (strict && config.payloadEncryption === "none") {
    problems.push(
      `${named("payloadStrict")} refuses the plain values ${named("payloadEncryption")} = none would write: set it to aes-256-gcm`,
    );
  }
  for (const k of oldKeys) {
    if (current && k.id === current.id && !k.key.equals(current.key))
      problems.push(
        `key id ${k.id} names two different keys (the current key and an old one): give each key its own id`,
      );
  }
  return {
    security: {
      token: config.resonateToken ?? token.value,
      payloads: { mode, current, old: oldKeys, strict },
      promiseIdKey: config.promiseIdKey ?? idKey.value,
    },
    problems,
  };
}

/** The settings that must fit together; every problem names the flags and variables involved. */
export const resonateSecurityCheck: ConfigCheck<ResonateSecurityConfig> = {
  problems: (config) => resolve(config).problems,
};

/** The token and keyring of a configuration that passed resonateSecurityCheck (files read again). */
export function resonateSecurityOf(config: ResonateSecurityConfig): ResonateSecurity {
  return resolve(config).security;
}
