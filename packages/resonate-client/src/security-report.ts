import type { StructuredLogger } from "@deletion/contracts";
import { LOG_EVENTS } from "@deletion/contracts";
import type { PayloadCipher } from "./payload-encryption.js";
import { describeToken, tokenScopeProblem } from "./resonate-token.js";

export interface SecuritySettings {
  /** The Resonate server; undefined with the in-process network. */
  url: string | undefined;
  token: string | undefined;
  promisePrefix: string;
  payloads: PayloadCipher;
}

/**
 * Start-up lines saying what the token allows and how payloads are stored, so a token that
 * cannot work (expired, for another prefix) is named before the first refusal. Never the secrets:
 * the token's claims and the key ids only.
 */
export function reportSecurity(logger: StructuredLogger, settings: SecuritySettings): void {
  const { url, token, promisePrefix, payloads } = settings;
  if (url && token) {
    const claims = describeToken(token);
    const problem = tokenScopeProblem(token, promisePrefix);
    if (problem) {
      logger.warn(
        { event: LOG_EVENTS.resonateToken, url, ...claims, problem },
        `the Resonate token will be refused: ${problem}`,
      );
    } else {
      logger.info(
        { event: LOG_EVENTS.resonateToken, url, ...claims },
        `requests to ${url} carry a token for ${claims.role?.toLowerCase() === "admin" ? "every promise (admin)" : `promise ids starting "${claims.prefix}"`}`,
      );
    }
  } else if (url) {
    logger.info(
      { event: LOG_EVENTS.resonateToken, url, withToken: false },
      `requests to ${url} carry no token: a server started with --auth-publickey refuses them`,
    );
  } else if (token) {
    logger.warn(
      { event: LOG_EVENTS.resonateToken, withToken: true },
      "a Resonate token is set but no server URL: the in-process network does not use it",
    );
  }
  logger.info(
    {
      event: LOG_EVENTS.payloadEncryption,
      mode: payloads.mode,
      keyId: payloads.currentKeyId,
      readableKeyIds: payloads.keyIds,
    },
    payloads.mode === "none"
      ? `promise payloads are stored in the clear${payloads.keyIds.length > 0 ? `; encrypted ones are read with key ids ${payloads.keyIds.join(", ")}` : ""}`
      : `promise payloads are encrypted with ${payloads.mode}, key id ${payloads.currentKeyId}`,
  );
}
