import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";

/*
 * Tokens for a Resonate server started with --auth-publickey: an Ed25519 key pair made per run
 * (server v0.9.8 accepts RSA, EC P-256/P-384 and Ed25519 public keys in PEM; src/auth.rs) and
 * JWTs signed with it (EdDSA). node:crypto signs them; no JWT library is needed for this.
 */

export interface TokenClaims {
  /** Promise ids the token reaches: those starting with it; "" reaches all; null or absent none. */
  prefix?: string | null;
  role?: string;
  /** Seconds from now until it expires (negative: already expired); default one hour. */
  expiresInS?: number;
  iss?: string;
  aud?: string;
}

export interface ResonateAuth {
  /** What --auth-publickey is given (as a file). */
  publicKeyPem: string;
  /** A token signed with this run's private key. */
  sign(claims: TokenClaims): string;
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function createResonateAuth(): ResonateAuth {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    sign: (claims) => signToken(privateKey, claims),
  };
}

function signToken(privateKey: KeyObject, { expiresInS = 3600, ...claims }: TokenClaims): string {
  const now = Math.floor(Date.now() / 1000);
  const body = `${part({ alg: "EdDSA", typ: "JWT" })}.${part({ ...claims, iat: now, exp: now + expiresInS })}`;
  return `${body}.${sign(null, Buffer.from(body), privateKey).toString("base64url")}`;
}
