import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { type ConfigCheck, type ConfigOf, option, optionName } from "@deletion/cli-kit";
import { ed25519PublicKey, type RequestKeyring } from "@deletion/deletor";
import { z } from "zod";

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/**
 * The producers' public keys a signed request is checked with: `<key id>=<PEM file>` entries,
 * comma-separated. Given, every request must carry a valid signature by one of them; several
 * ids let a new producer key be configured beside the old one while producers switch over.
 */
export const requestSignatureOptions = {
  requestSignatureKeys: option({
    flag: "request-signature-keys",
    env: "REQUEST_SIGNATURE_KEYS",
    description:
      "require signed requests: <key id>=<Ed25519 public key PEM file>,... (one per producer key); a request without a valid signature by one of them is dead-lettered as UNAUTHENTICATED. Unset: requests are not checked",
    schema: z.string().min(1).optional(),
  }),
};

type SignatureConfig = ConfigOf<typeof requestSignatureOptions>;

function resolve(config: SignatureConfig): { keyring?: RequestKeyring; problems: string[] } {
  if (config.requestSignatureKeys === undefined) return { problems: [] };
  const name = optionName(requestSignatureOptions.requestSignatureKeys);
  const keyring = new Map<string, KeyObject>();
  const problems: string[] = [];
  for (const entry of config.requestSignatureKeys
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "")) {
    const at = entry.indexOf("=");
    const id = at < 0 ? "" : entry.slice(0, at);
    const path = at < 0 ? "" : entry.slice(at + 1);
    if (!KEY_ID.test(id) || path === "") {
      problems.push(`${name}: "${entry}" is not <key id>=<file> (ids: 1-32 letters, digits and . _ -)`);
      continue;
    }
    if (keyring.has(id)) {
      problems.push(`${name}: key id ${id} is given twice`);
      continue;
    }
    let pem: string;
    try {
      pem = readFileSync(path, "utf8");
    } catch (error) {
      problems.push(
        `${name}: key ${id}: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
      );
      continue;
    }
    const key = ed25519PublicKey(pem);
    if (!key.ok) problems.push(`${name}: key ${id}: ${path} ${key.problem}`);
    else keyring.set(id, key.key);
  }
  if (problems.length === 0 && keyring.size === 0) problems.push(`${name}: names no key`);
  return problems.length > 0 ? { problems } : { keyring, problems };
}

export const requestSignatureCheck: ConfigCheck<SignatureConfig> = {
  problems: (config) => resolve(config).problems,
};

/** The keyring of a configuration that passed requestSignatureCheck (files read again), if any. */
export const requestKeyringOf = (config: SignatureConfig): RequestKeyring | undefined =>
  resolve(config).keyring;
