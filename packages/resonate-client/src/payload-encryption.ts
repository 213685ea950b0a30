import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Value } from "@resonatehq/sdk";

/*
 * Promise params and values encrypted at rest, each bound to the promise it belongs to. A stored
 * value is `aes-256-gcm+id:<key id>:<iv>:<ciphertext + tag>` (base64 parts); the associated data
 * is the scheme, the key id and the promise id, so a value copied to another promise, or
 * relabelled to another key, fails authentication. The SDK's Encryptor never learns which
 * promise a value belongs to, so sealing and opening happen where the requests are seen
 * (sealing-network.ts), and raw readers pass the promise id themselves. The SDK's own data is
 * base64, which never holds a ':', so an encrypted value cannot be mistaken for a plain one.
 */

/** What is written: plain values, or AES-256-GCM (the configuration's parsing lives in cli-kit). */
export type PayloadEncryptionMode = "none" | "aes-256-gcm";

const SCHEME = "aes-256-gcm+id";
/**
 * Values written before the promise id was bound in (associated data: scheme and key id only).
 * Read so that workflows running across the upgrade resume; refused in strict mode, since such
 * a value can be moved to another promise.
 */
const LEGACY_SCHEME = "aes-256-gcm";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** A stored value that cannot be opened: which key, and why. Never holds key material. */
export class PayloadDecryptionError extends Error {
  override readonly name = "PayloadDecryptionError";
}

export type Opened = { ok: true; value: Value | undefined } | { ok: false; reason: string };

/**
 * Seals and opens promise values. `mode` decides what is written; the keyring (current and older
 * keys) decides what can be read, in either mode, so a deployment can first give every worker
 * the key and only then switch writing on. `strict` refuses every value that is not sealed under
 * the current scheme (plain ones, and those of the earlier scheme).
 */
export interface PayloadCipher {
  readonly mode: PayloadEncryptionMode;
  readonly strict: boolean;
  /** The key new values are encrypted with (absent in mode "none"). */
  readonly currentKeyId: string | undefined;
  /** Every key id values can be read with: the current key's first. */
  readonly keyIds: readonly string[];
  /** The value as stored for promise `promiseId` (unchanged in mode "none", or when empty). */
  seal(value: Value, promiseId: string): Value;
  /** Opens a value read from promise `promiseId`, without throwing: the reason when it cannot. */
  open(value: Value | undefined, promiseId: string): Opened;
}

export interface PayloadCipherOptions {
  mode: PayloadEncryptionMode;
  /** Encrypts new values; required in mode "aes-256-gcm", and read with in either mode. */
  current?: PayloadKey | undefined;
  /** Read with only: keys values written earlier may carry. */
  old?: readonly PayloadKey[] | undefined;
  /** Refuse plain values and values of the earlier scheme; needs a key. */
  strict?: boolean | undefined;
}

const aad = (scheme: string, keyId: string, promiseId: string) =>
  Buffer.from(scheme === SCHEME ? `${SCHEME}:${keyId}:${promiseId}` : `${LEGACY_SCHEME}:${keyId}`, "utf8");

export function createPayloadCipher(options: PayloadCipherOptions): PayloadCipher {
  const ring = new Map<string, Buffer>();
  for (const k of [...(options.current ? [options.current] : []), ...(options.old ?? [])]) {
    const known = ring.get(k.id);
    if (known && !known.equals(k.key)) {
      throw new RangeError(`payload key id ${k.id} is given twice with different keys`);
    }
    if (k.key.length !== KEY_BYTES) throw new RangeError(`payload key ${k.id} is not ${KEY_BYTES} bytes`);
    ring.set(k.id, k.key);
  }
  if (options.mode === "aes-256-gcm" && !options.current) {
    throw new RangeError("payload encryption aes-256-gcm needs a current key");
  }
  const strict = options.strict ?? false;
  if (strict && ring.size === 0) throw new RangeError("strict payload reading needs a payload key");
  const writer = options.mode === "aes-256-gcm" ? options.current : undefined;
  const keyIds = [...ring.keys()];

  const open = (value: Value | undefined, promiseId: string): Opened => {
    const data: unknown = value?.data;
    // Nothing stored: "" is the SDK's undefined.
    if (data === undefined || data === null || data === "") return { ok: true, value };
    const scheme =
      typeof data !== "string"
        ? undefined
        : data.startsWith(`${SCHEME}:`)
          ? SCHEME
          : data.startsWith(`${LEGACY_SCHEME}:`)
            ? LEGACY_SCHEME
            : undefined;
    if (scheme === undefined) {
      return strict
        ? { ok: false, reason: "the stored value is not encrypted, and payload reading is strict" }
        : { ok: true, value };
    }
    if (scheme === LEGACY_SCHEME && strict) {
      return {
        ok: false,
        reason:
          "the stored value is encrypted without its promise id bound in (written before that was done), and payload reading is strict",
      };
    }
    const parts = (data as string).split(":");
    const [, keyId, iv64, sealed64] = parts;
    if (parts.length !== 4 || !keyId || !iv64 || !sealed64) {
      return { ok: false, reason: "the stored value is not a well-formed encrypted payload" };
    }
    const key = ring.get(keyId);
    if (!key) {
      return {
        ok: false,
        reason:
          keyIds.length === 0
            ? `the stored value is encrypted (key id ${keyId}) and no payload key is configured`
            : `the stored value is encrypted with key id ${keyId}, which is not among the configured keys (${keyIds.join(", ")})`,
      };
    }
    const iv = Buffer.from(iv64, "base64");
    const sealed = Buffer.from(sealed64, "base64");
    if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) {
      return {
        ok: false,
        reason: `the stored value encrypted with key id ${keyId} is truncated or malformed`,
      };
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAAD(aad(scheme, keyId, promiseId));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return { ok: true, value: { ...value, data: plain.toString("utf8") } };
    } catch {
      return {
        ok: false,
        reason:
          scheme === SCHEME
            ? `the stored value encrypted with key id ${keyId} fails authentication for this promise: it was altered, written for another promise, or written with another key under the same id`
            : `the stored value encrypted with key id ${keyId} fails authentication: it was altered, or written with another key under the same id`,
      };
    }
  };

  return {
    mode: options.mode,
    strict,
    currentKeyId: writer?.id,
    keyIds,
    open,
    seal(value: Value, promiseId: string): Value {
      const data: unknown = value.data;
      if (!writer || typeof data !== "string" || data === "") return value;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", writer.key, iv);
      cipher.setAAD(aad(SCHEME, writer.id, promiseId));
      const sealed = Buffer.concat([cipher.update(data, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return {
        ...value,
        data: `${SCHEME}:${writer.id}:${iv.toString("base64")}:${sealed.toString("base64")}`,
      };
    },
  };
}

/** Writes plain values and reads plain ones; an encrypted value is reported, not misread. */
export const PLAINTEXT_PAYLOADS: PayloadCipher = createPayloadCipher({ mode: "none" });
