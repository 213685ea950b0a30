/**
 * What a failed broker connection looks like to a person, read from the client's log lines: its
 * calls fail later and without the reason. Why: docs/decisions/connection-failure-lines.md
 */
export type ConnectionFailureKind = "authentication" | "tls" | "connection";

export interface ConnectionFailure {
  kind: ConnectionFailureKind;
  /** host:port of the broker, as the client was told it. */
  broker: string;
  /** The client's words, without its timing and state. */
  reason: string;
  /** What the failure usually means, when it is the common sign of a settings mismatch. */
  hint?: string;
}

// "[thrd:sasl_ssl://h:p/bootstrap]: sasl_ssl://h:p/bootstrap: <reason> (after 5ms in state AUTH_REQ)";
// a plaintext connection's broker has no scheme, a known broker has its node id for "bootstrap".
const BROKER_LINE = /^(?:\[thrd:[^\]]*\]: )?(?:([a-z_]+):\/\/)?([^\s/]+)\/(?:bootstrap|-?\d+): (.*)$/s;
const TIMING = /\s*\(after \d+ms in state ([A-Z_]+)[^)]*\).*$/s;

const AUTHENTICATION = /SASL|authentication/i;
const TLS = /SSL handshake failed|certificate|SSL alert|ssl\/tls alert|SSL routines/i;
const CONNECTION =
  /Disconnected|closed by peer|Connect to .* failed|Connection refused|timed out|resolve|Receive failed|Send failed/i;

/** The connection failure a client log line reports, if it reports one. */
export function connectionFailureIn(line: string): ConnectionFailure | undefined {
  const match = BROKER_LINE.exec(line.trim());
  if (!match) return undefined;
  const [, scheme, broker = "", text = ""] = match;
  const state = TIMING.exec(text)?.[1];
  const reason = text.replace(TIMING, "").trim();
  const kind = AUTHENTICATION.test(reason)
    ? "authentication"
    : TLS.test(reason)
      ? "tls"
      : CONNECTION.test(reason)
        ? "connection"
        : undefined;
  if (!kind) return undefined;
  const hint = hintFor(kind, scheme, state, reason);
  return { kind, broker, reason, ...(hint ? { hint } : {}) };
}

function hintFor(
  kind: ConnectionFailureKind,
  scheme: string | undefined,
  state: string | undefined,
  reason: string,
): string | undefined {
  if (kind === "tls" && /alert bad certificate|certificate required/i.test(reason))
    return "the broker wants a client certificate it trusts (mutual TLS)";
  if (kind !== "connection" || !/closed by peer/i.test(reason)) return undefined;
  // A TLS listener drops a plaintext client at its first request, unanswered.
  if (scheme === undefined || scheme === "sasl_plaintext")
    return state === "APIVERSION_QUERY"
      ? "the broker closed the connection at the first request: does this listener expect TLS (security protocol ssl or sasl_ssl)?"
      : undefined;
  // A SASL listener drops a client that skipped authentication at its first real request.
  if (scheme === "ssl" && state === "UP")
    return "the broker closed the connection after the TLS handshake: does this listener expect SASL credentials (security protocol sasl_ssl)?";
  return undefined;
}

/** Authentication and TLS failures will not go away by retrying with the same settings. */
export const isDefinitive = (failure: ConnectionFailure) => failure.kind !== "connection";

export function describeConnectionFailure(failure: ConnectionFailure): string {
  const hint = failure.hint ? ` (${failure.hint})` : "";
  switch (failure.kind) {
    case "authentication":
      return `SASL authentication failed at ${failure.broker}: ${failure.reason.replace(/^SASL authentication error: /, "")}${hint}`;
    case "tls":
      return `TLS with ${failure.broker} failed: ${failure.reason.replace(/^SSL handshake failed: /, "")}${hint}`;
    case "connection":
      return `${failure.broker}: ${failure.reason}${hint}`;
  }
}

/** A connection the brokers refused or that failed, with the client's reason for it. */
export class BrokerConnectionError extends Error {
  override name = "BrokerConnectionError";

  /** `during`: the error of the request that failed on its own (say, at its timeout), if one did. */
  constructor(
    readonly failure: ConnectionFailure,
    during?: Error,
  ) {
    super(
      during
        ? `${during.message}; connection failure: ${describeConnectionFailure(failure)}`
        : describeConnectionFailure(failure),
    );
  }
}
