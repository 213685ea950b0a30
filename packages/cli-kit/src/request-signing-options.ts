import { ed25519PrivateKey, type RequestSigner, requestSigner } from "@deletion/kafka";
import { z } from "zod";
import { readSecretFile, secretFileSchema } from "./file-options.js";
import { type ConfigCheck, type ConfigOf, option, optionName } from "./options.js";
import { PAYLOAD_KEY_ID_PATTERN } from "./resonate-security-options.js";

/** Key ids are written like payload key ids (the header's format, contracts/request-signature.ts). */
const SigningKeyIdSchema = z.string().regex(PAYLOAD_KEY_ID_PATTERN, {
  error: "must be 1-32 letters, digits and . _ - (starting with a letter or digit)",
});

/*
 * The producer's and redrive's signing key: given, every request they publish carries an Ed25519
 * signature (a header) that workers requiring signatures check. Off by default.
 */
export const requestSigningOptions = {
  signingKeyFile: option({
    flag: "signing-key-file",
    env: "REQUEST_SIGNING_KEY_FILE",
    description:
      "an Ed25519 private key (unencrypted PEM: openssl genpkey -algorithm ed25519): every request published is signed with it, for workers that require signed requests",
    schema: secretFileSchema.optional(),
  }),
  signingKeyId: option({
    flag: "signing-key-id",
    env: "REQUEST_SIGNING_KEY_ID",
    description: "the id the workers know that key's public half by (with --signing-key-file)",
    schema: SigningKeyIdSchema.optional(),
  }),
};

type SigningConfig = ConfigOf<typeof requestSigningOptions>;

function resolve(config: SigningConfig): { signer?: RequestSigner; problems: string[] } {
  const { signingKeyFile: file, signingKeyId: id } = requestSigningOptions;
  if (config.signingKeyFile === undefined && config.signingKeyId === undefined) return { problems: [] };
  if (config.signingKeyFile === undefined || config.signingKeyId === undefined)
    return { problems: [`${optionName(file)} and ${optionName(id)} go together: give both or neither`] };
  const key = ed25519PrivateKey(readSecretFile(config.signingKeyFile));
  if (!key.ok) return { problems: [`${optionName(file)}: the file ${key.problem}`] };
  return { signer: requestSigner(config.signingKeyId, key.key), problems: [] };
}

export const requestSigningCheck: ConfigCheck<SigningConfig> = {
  problems: (config) => resolve(config).problems,
};

/** The signer of a configuration that passed requestSigningCheck (the file read again), if any. */
export const requestSignerOf = (config: SigningConfig): RequestSigner | undefined => resolve(config).signer;
