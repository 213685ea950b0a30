import { z } from "zod";

/*
 * Signed deletion requests. A producer holding an Ed25519 key signs each request's Kafka key and
 * value; the signature travels in one header, `deletion-signature: v1:<key id>:<base64url>`. The
 * key id says which of the workers' configured public keys checks it, so keys can be rotated by
 * configuring the new one beside the old. What is signed: a domain string (so a signature made
 * for anything else never verifies here), the key's length, the key, then the value; the length
 * keeps a byte moved from the key to the value from giving the same signed bytes.
 */

export const REQUEST_SIGNATURE_HEADER = "deletion-signature";

/**
 * What a signature is for: a deletion request (DeletionRequested) or a bulk deletion request
 * (BulkDeletionRequested). Each has its own domain string, so a signature made for one never
 * verifies as the other, whatever its value says.
 */
export type SignedMessageKind = "deletion" | "bulk";

const DOMAINS: Record<SignedMessageKind, Buffer> = {
  deletion: Buffer.from("deletion-request-signature:v1\n", "utf8"),
  bulk: Buffer.from("deletion-bulk-request-signature:v1\n", "utf8"),
};

export const SigningKeyIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, {
  error: "must be 1-32 letters, digits and . _ - (starting with a letter or digit)",
});

/** An Ed25519 signature is 64 bytes: 86 characters of unpadded base64url. */
export const RequestSignatureSchema = z
  .string()
  .transform((text, ctx): { keyId: string; signature: Buffer } => {
    const match = /^v1:([A-Za-z0-9][A-Za-z0-9._-]{0,31}):([A-Za-z0-9_-]{86})$/.exec(text);
    if (!match) {
      ctx.addIssue({ code: "custom", message: "must be v1:<key id>:<64 bytes of base64url>" });
      return z.NEVER;
    }
    return { keyId: match[1] as string, signature: Buffer.from(match[2] as string, "base64url") };
  });

export type RequestSignature = z.output<typeof RequestSignatureSchema>;

/** The header's value for a signature by key `keyId`. */
export const formatRequestSignature = (keyId: string, signature: Buffer): string =>
  `v1:${keyId}:${signature.toString("base64url")}`;

/** The bytes a request's signature covers. */
export function requestSignedBytes(
  key: Buffer | null,
  value: Buffer | null,
  kind: SignedMessageKind = "deletion",
): Buffer {
  const k = key ?? Buffer.alloc(0);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(k.length);
  return Buffer.concat([DOMAINS[kind], length, k, value ?? Buffer.alloc(0)]);
}
