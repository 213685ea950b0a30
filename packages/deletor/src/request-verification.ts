import { createPublicKey, type KeyObject, verify } from "node:crypto";
import {
  type DecodeError,
  REQUEST_SIGNATURE_HEADER,
  RequestSignatureSchema,
  requestSignedBytes,
  type SignedMessageKind,
} from "@deletion/contracts";

/*
 * Checks a request's signature before anything is started for it (contracts/request-signature.ts
 * says what is signed). Only a request signed by one of the configured producer keys, over
 * exactly its key and value, goes on to be decoded; the others are dead-lettered as
 * UNAUTHENTICATED, and so is a signed request whose key is not its recordId (the signer vouched
 * for a key that names another record).
 */

/** Header values as the Kafka client gives them. */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** The producers' public keys, by key id. */
export type RequestKeyring = ReadonlyMap<string, KeyObject>;

/** An Ed25519 public key from PEM (SPKI), or why it is not one. */
export function ed25519PublicKey(pem: string): { ok: true; key: KeyObject } | { ok: false; problem: string } {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== "ed25519") {
      return { ok: false, problem: `is a ${key.asymmetricKeyType ?? "unknown"} key, not Ed25519` };
    }
    return { ok: true, key };
  } catch {
    return { ok: false, problem: "is not a PEM public key" };
  }
}

const unauthenticated = (reason: string): DecodeError => ({ code: "UNAUTHENTICATED", reason });

/** Undefined when the message carries a valid signature by a key of the ring; else why not. */
export function checkRequestSignature(
  message: { key: Buffer | null; value: Buffer | null; headers?: MessageHeaders | undefined },
  keyring: RequestKeyring,
  kind: SignedMessageKind = "deletion",
): DecodeError | undefined {
  const raw = message.headers?.[REQUEST_SIGNATURE_HEADER];
  if (raw === undefined) return unauthenticated(`the request carries no ${REQUEST_SIGNATURE_HEADER} header`);
  if (Array.isArray(raw))
    return unauthenticated(`the request carries ${raw.length} ${REQUEST_SIGNATURE_HEADER} headers`);
  const parsed = RequestSignatureSchema.safeParse(Buffer.isBuffer(raw) ? raw.toString("utf8") : raw);
  if (!parsed.success) {
    return unauthenticated(
      `the ${REQUEST_SIGNATURE_HEADER} header ${parsed.error.issues[0]?.message ?? "is malformed"}`,
    );
  }
  const { keyId, signature } = parsed.data;
  const key = keyring.get(keyId);
  if (!key) {
    return unauthenticated(
      `the request is signed by key id ${keyId}, which is not among the configured keys (${[...keyring.keys()].join(", ")})`,
    );
  }
  const valid = verify(null, requestSignedBytes(message.key, message.value, kind), key, signature);
  return valid
    ? undefined
    : unauthenticated(`the signature by key id ${keyId} does not verify over the request's key and value`);
}

/** A decoding failure as it stands with signatures required: a key mismatch is no authentication. */
export function withSignaturesRequired(error: DecodeError): DecodeError {
  return error.code === "KEY_MISMATCH" ? unauthenticated(error.reason) : error;
}
