import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import {
  formatRequestSignature,
  REQUEST_SIGNATURE_HEADER,
  requestSignedBytes,
  type SignedMessageKind,
} from "@deletion/contracts";

/*
 * Signs deletion requests for workers that require them (contracts/request-signature.ts): the
 * producer and redrive add the header to every request they publish when given a key, the bulk
 * command and the console to every bulk request, and the worker to the record requests a bulk
 * publishes.
 */

export interface RequestSigner {
  readonly keyId: string;
  /** The header carrying the signature of this key and value (a deletion request unless `kind` says bulk). */
  headersFor(key: Buffer | string, value: Buffer, kind?: SignedMessageKind): Record<string, string>;
}

/** An Ed25519 private key from PEM (PKCS#8, unencrypted), or why it is not one. */
export function ed25519PrivateKey(
  pem: string,
): { ok: true; key: KeyObject } | { ok: false; problem: string } {
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "ed25519") {
      return { ok: false, problem: `is a ${key.asymmetricKeyType ?? "unknown"} key, not Ed25519` };
    }
    return { ok: true, key };
  } catch {
    return { ok: false, problem: "is not an unencrypted PEM private key" };
  }
}

export function requestSigner(keyId: string, privateKey: KeyObject): RequestSigner {
  return {
    keyId,
    headersFor(key, value, kind = "deletion") {
      const keyBytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
      const signature = sign(null, requestSignedBytes(keyBytes, value, kind), privateKey);
      return { [REQUEST_SIGNATURE_HEADER]: formatRequestSignature(keyId, signature) };
    },
  };
}
