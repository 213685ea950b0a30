import { randomBytes } from "node:crypto";
import { Codec } from "@resonatehq/sdk";
import { describe, expect, it } from "vitest";
import { createPayloadCipher, PayloadDecryptionError, PLAINTEXT_PAYLOADS } from "../src/index.js";

const key = (id: string) => ({ id, key: randomBytes(32) });
const k1 = key("k1");
const k2 = key("k2");
const value = { recordId: "customer-17", source: { topic: "requests", partition: 2, offset: "118" } };

describe("AES-256-GCM payloads through the SDK's codec", () => {
  const codec = new Codec(createPayloadCipher({ mode: "aes-256-gcm", current: k1 }));

  it("round-trips a value, and stores neither the value nor its base64", () => {
    const stored = codec.encode(value);
    const plainBase64 = Buffer.from(JSON.stringify(value)).toString("base64");
    expect(stored.data).toMatch(/^aes-256-gcm:k1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(stored.data).not.toContain("customer-17");
    expect(stored.data).not.toContain(plainBase64);
    expect(codec.decode(stored)).toEqual(value);
  });

  it("draws a fresh IV for every value: the same value never encrypts the same way twice", () => {
    const a = codec.encode(value).data as string;
    const b = codec.encode(value).data as string;
    expect(a.split(":")[2]).not.toBe(b.split(":")[2]);
    expect(a).not.toBe(b);
  });

  it("leaves an absent value absent (the SDK stores undefined as an empty string)", () => {
    expect(codec.encode(undefined)).toEqual({ headers: {}, data: "" });
    expect(codec.decode({ headers: {}, data: "" })).toBeUndefined();
  });
});

describe("key rotation", () => {
  it("a value written with an older key is read while that key is kept", () => {
    const before = new Codec(createPayloadCipher({ mode: "aes-256-gcm", current: k1 }));
    const after = new Codec(createPayloadCipher({ mode: "aes-256-gcm", current: k2, old: [k1] }));
    const old = before.encode(value);
    expect(after.decode(old)).toEqual(value);
    expect(after.encode(value).data).toMatch(/^aes-256-gcm:k2:/);
  });

  it("mode none with the key reads encrypted values and writes plain ones (the roll-out step)", () => {
    const writer = new Codec(createPayloadCipher({ mode: "aes-256-gcm", current: k1 }));
    const reader = createPayloadCipher({ mode: "none", current: k1 });
    expect(new Codec(reader).decode(writer.encode(value))).toEqual(value);
    expect(reader.encrypt({ headers: {}, data: "eyJ4IjoxfQ==" })).toEqual({
      headers: {},
      data: "eyJ4IjoxfQ==",
    });
  });

  it("plain values written before encryption was switched on are still read", () => {
    const cipher = createPayloadCipher({ mode: "aes-256-gcm", current: k1 });
    expect(new Codec(cipher).decode(new Codec().encode(value))).toEqual(value);
  });
});

describe("values that cannot be opened", () => {
  const written = new Codec(createPayloadCipher({ mode: "aes-256-gcm", current: k1 })).encode(value);

  it("an unknown key id: a reason naming it and the keys there are", () => {
    const cipher = createPayloadCipher({ mode: "aes-256-gcm", current: k2 });
    expect(cipher.open(written)).toEqual({
      ok: false,
      reason: "the stored value is encrypted with key id k1, which is not among the configured keys (k2)",
    });
    expect(() => cipher.decrypt(written)).toThrow(PayloadDecryptionError);
  });

  it("through the SDK: a decoding error whose cause says why", () => {
    const codec = new Codec(createPayloadCipher({ mode: "aes-256-gcm", current: k2 }));
    let caught: unknown;
    try {
      codec.decode(written);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ type: "Encoding" });
    expect((caught as { cause?: Error }).cause?.message).toContain("key id k1");
  });

  it("a tampered ciphertext fails authentication", () => {
    const [scheme, id, iv, sealed] = (written.data as string).split(":") as [string, string, string, string];
    const bytes = Buffer.from(sealed, "base64");
    bytes[0] = (bytes[0] as number) ^ 0x01;
    const tampered = { ...written, data: [scheme, id, iv, bytes.toString("base64")].join(":") };
    const opened = createPayloadCipher({ mode: "aes-256-gcm", current: k1 }).open(tampered);
    expect(opened).toEqual({
      ok: false,
      reason:
        "the stored value encrypted with key id k1 fails authentication: it was altered, or written with another key under the same id",
    });
  });

  it("a value relabelled to another key id fails too (the id is authenticated)", () => {
    const k1Again = { id: "k9", key: k1.key };
    const relabelled = { ...written, data: (written.data as string).replace(":k1:", ":k9:") };
    const opened = createPayloadCipher({ mode: "aes-256-gcm", current: k1Again }).open(relabelled);
    expect(opened.ok).toBe(false);
  });

  it("a worker without keys says the value is encrypted instead of misreading it", () => {
    expect(PLAINTEXT_PAYLOADS.open(written)).toEqual({
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
