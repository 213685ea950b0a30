import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createPayloadCipher, PLAINTEXT_PAYLOADS } from "../src/index.js";

const key = (id: string) => ({ id, key: randomBytes(32) });
const k1 = key("k1");
const k2 = key("k2");
const json = JSON.stringify({
  recordId: "customer-17",
  source: { topic: "requests", partition: 2, offset: "118" },
});
const plain = { headers: {}, data: Buffer.from(json).toString("base64") };
const id = "deletion/customer-17";

describe("AES-256-GCM payloads bound to their promise", () => {
  const cipher = createPayloadCipher({ mode: "aes-256-gcm", current: k1 });

  it("round-trips a value for its promise, storing neither the value nor its base64", () => {
    const stored = cipher.seal(plain, id);
    expect(stored.data).toMatch(/^aes-256-gcm\+id:k1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(stored.data).not.toContain("customer-17");
    expect(stored.data).not.toContain(plain.data);
    expect(cipher.open(stored, id)).toEqual({ ok: true, value: plain });
  });

  it("a value moved to another promise fails authentication (the promise id is associated data)", () => {
    const stored = cipher.seal(plain, id);
    const opened = cipher.open(stored, "deletion/customer-18");
    expect(opened).toEqual({
      ok: false,
      reason:
        "the stored value encrypted with key id k1 fails authentication for this promise: it was altered, written for another promise, or written with another key under the same id",
    });
  });

  it("draws a fresh IV for every value: the same value never encrypts the same way twice", () => {
    const a = cipher.seal(plain, id).data as string;
    const b = cipher.seal(plain, id).data as string;
    expect(a.split(":")[2]).not.toBe(b.split(":")[2]);
  });

  it("leaves an absent value absent (the SDK stores undefined as an empty string)", () => {
    expect(cipher.seal({ headers: {}, data: "" }, id)).toEqual({ headers: {}, data: "" });
    expect(cipher.open({ headers: {}, data: "" }, id)).toEqual({
      ok: true,
      value: { headers: {}, data: "" },
    });
  });
});

describe("key rotation and roll-out", () => {
  it("a value written with an older key is read while that key is kept", () => {
    const before = createPayloadCipher({ mode: "aes-256-gcm", current: k1 });
    const after = createPayloadCipher({ mode: "aes-256-gcm", current: k2, old: [k1] });
    expect(after.open(before.seal(plain, id), id)).toEqual({ ok: true, value: plain });
    expect(after.seal(plain, id).data).toMatch(/^aes-256-gcm\+id:k2:/);
  });

  it("mode none with the key reads encrypted values and writes plain ones", () => {
    const reader = createPayloadCipher({ mode: "none", current: k1 });
    const sealed = createPayloadCipher({ mode: "aes-256-gcm", current: k1 }).seal(plain, id);
    expect(reader.open(sealed, id)).toEqual({ ok: true, value: plain });
    expect(reader.seal(plain, id)).toEqual(plain);
  });

  it("plain values written before encryption was switched on are still read", () => {
    expect(createPayloadCipher({ mode: "aes-256-gcm", current: k1 }).open(plain, id)).toEqual({
      ok: true,
      value: plain,
    });
  });
});

/** A value as written before the promise id was bound in: associated data `aes-256-gcm:<key id>`. */
function legacySeal(value: { data: string }, k: { id: string; key: Buffer }) {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", k.key, iv);
  cipher.setAAD(Buffer.from(`aes-256-gcm:${k.id}`, "utf8"));
  const sealed = Buffer.concat([cipher.update(value.data, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return { headers: {}, data: `aes-256-gcm:${k.id}:${iv.toString("base64")}:${sealed.toString("base64")}` };
}

describe("strict mode", () => {
  const strict = createPayloadCipher({ mode: "aes-256-gcm", current: k1, strict: true });

  it("refuses plain values", () => {
    expect(strict.open(plain, id)).toEqual({
      ok: false,
      reason: "the stored value is not encrypted, and payload reading is strict",
    });
  });

  it("refuses values of the earlier scheme, which the default mode still reads", () => {
    const old = legacySeal(plain, k1);
    expect(createPayloadCipher({ mode: "aes-256-gcm", current: k1 }).open(old, id)).toEqual({
      ok: true,
      value: { ...old, data: plain.data },
    });
    expect(strict.open(old, id)).toMatchObject({ ok: false, reason: expect.stringContaining("strict") });
  });

  it("reads what it writes, and an empty value stays empty", () => {
    expect(strict.open(strict.seal(plain, id), id)).toEqual({ ok: true, value: plain });
    expect(strict.open({ data: "" }, id)).toEqual({ ok: true, value: { data: "" } });
  });

  it("needs a key", () => {
    expect(() => createPayloadCipher({ mode: "none", strict: true })).toThrow(/needs a payload key/);
  });
});

describe("values that cannot be opened", () => {
  const written = createPayloadCipher({ mode: "aes-256-gcm", current: k1 }).seal(plain, id);

  it("an unknown key id: a reason naming it and the keys there are", () => {
    expect(createPayloadCipher({ mode: "aes-256-gcm", current: k2 }).open(written, id)).toEqual({
      ok: false,
      reason: "the stored value is encrypted with key id k1, which is not among the configured keys (k2)",
    });
  });

  it("a tampered ciphertext fails authentication", () => {
    const [scheme, kid, iv, sealed] = (written.data as string).split(":") as [string, string, string, string];
    const bytes = Buffer.from(sealed, "base64");
    bytes[0] = (bytes[0] as number) ^ 0x01;
    const tampered = { ...written, data: [scheme, kid, iv, bytes.toString("base64")].join(":") };
    expect(createPayloadCipher({ mode: "aes-256-gcm", current: k1 }).open(tampered, id).ok).toBe(false);
  });

  it("a value relabelled to another key id fails too (the id is authenticated)", () => {
    const relabelled = { ...written, data: (written.data as string).replace(":k1:", ":k9:") };
    const opened = createPayloadCipher({ mode: "aes-256-gcm", current: { id: "k9", key: k1.key } }).open(
      relabelled,
      id,
    );
    expect(opened.ok).toBe(false);
  });

  it("a reader without keys says the value is encrypted instead of misreading it", () => {
    expect(PLAINTEXT_PAYLOADS.open(written, id)).toEqual({
      ok: false,
      reason: "the stored value is encrypted (key id k1) and no payload key is configured",
    });
  });
});

describe("the keyring", () => {
  it("encrypting needs a current key; one id may not name two keys", () => {
    expect(() => createPayloadCipher({ mode: "aes-256-gcm" })).toThrow(/needs a current key/);
    expect(() =>
      createPayloadCipher({ mode: "aes-256-gcm", current: k1, old: [{ id: "k1", key: k2.key }] }),
    ).toThrow(/k1 is given twice/);
  });

  it("reads with the current key first, then the old ones", () => {
    expect(createPayloadCipher({ mode: "none", current: k2, old: [k1] }).keyIds).toEqual(["k2", "k1"]);
  });
});
