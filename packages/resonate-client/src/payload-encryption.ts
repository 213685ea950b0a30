import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Encryptor, Value } from "@resonatehq/sdk";

/*
 * Promise params and values encrypted at rest. The SDK hands every value it stores to an
 * Encryptor (codec.js: after JSON + base64, before the request) and every value it reads back
 * (before decoding); this project also reads promises raw (promise-values.ts), so the same
 * object opens those too. A stored value is `aes-256-gcm:<key id>:<iv>:<ciphertext + tag>`
 * (base64 parts): the key id says which key of the keyring opens it, so values written before a
 * key was rotated stay readable while the old key is kept. The SDK's own data is base64, which
 * never holds a ':', so an encrypted value cannot be mistaken for a plain one.
 */

/** What is written: plain values, or AES-256-GCM (the configuration's parsing lives in cli-kit). */
export type PayloadEncryptionMode = "none" | "aes-256-gcm";

const SCHEME = "aes-256-gcm";
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
 * The SDK's Encryptor plus a reader for values read raw. `mode` decides what is written; the
 * keyring (current and older keys) decides what can be read, in either mode, so a deployment
 * can first give every worker the key and only then switch writing on.
 */
export interface PayloadCipher extends Encryptor {
  readonly mode: PayloadEncryptionMode;
  /** The key new values are encrypted with (absent in mode "none"). */
  readonly currentKeyId: string | undefined;
  /** Every key id values can be read with: the current key's first. */
  readonly keyIds: readonly string[];
  /** Opens a value read raw from a promise, without throwing: the reason when it cannot. */
  open(value: Value | undefined): Opened;
}

export interface PayloadCipherOptions {
  mode: PayloadEncryptionMode;
  /** Encrypts new values; required in mode "aes-256-gcm", and read with in either mode. */
  current?: PayloadKey | undefined;
  /** Read with only: keys values written earlier may carry. */
  old?: readonly PayloadKey[] | undefined;
}

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
  if (options.mode === SCHEME && !options.current) {
    throw new RangeError(`payload encryption ${SCHEME} needs a current key`);
  }
  const writer = options.mode === SCHEME ? options.current : undefined;
  const keyIds = [...ring.keys()];

  const open = (value: Value | undefined): Opened => {
    const data: unknown = value?.data;
    // Nothing stored ("" is the SDK's undefined), or a plain value (see docs/security.md on rollout).
    if (typeof data !== "string" || !data.startsWith(`${SCHEME}:`)) return { ok: true, value };
    const parts = data.split(":");
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
      decipher.setAAD(Buffer.from(`${SCHEME}:${keyId}`, "utf8"));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return { ok: true, value: { ...value, data: plain.toString("utf8") } };
    } catch {
      return {
        ok: false,
        reason: `the stored value encrypted with key id ${keyId} fails authentication: it was altered, or written with another key under the same id`,
      };
    }
  };

  return {
    mode: options.mode,
    currentKeyId: writer?.id,
    keyIds,
    open,
    encrypt(plaintext: Value): Value {
      const data: unknown = plaintext.data;
      if (!writer || typeof data !== "string" || data === "") return plaintext;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", writer.key, iv);
      // The key id is bound to the ciphertext: a value cannot be relabelled to another key.
      cipher.setAAD(Buffer.from(`${SCHEME}:${writer.id}`, "utf8"));
      const sealed = Buffer.concat([cipher.update(data, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return {
        ...plaintext,
        data: `${SCHEME}:${writer.id}:${iv.toString("base64")}:${sealed.toString("base64")}`,
      };
    },
    decrypt(ciphertext: Value): Value {
      const opened = open(ciphertext);
      if (!opened.ok) throw new PayloadDecryptionError(opened.reason);
      return opened.value ?? ciphertext;
    },
  };
}

/** Writes plain values and reads plain ones; an encrypted value is reported, not misread. */
export const PLAINTEXT_PAYLOADS: PayloadCipher = createPayloadCipher({ mode: "none" });
