import { describe, expect, it } from "vitest";
import { ConnectionWatch } from "../src/connection-watch.js";
import {
  BrokerConnectionError,
  connectionFailureIn,
  describeConnectionFailure,
  isDefinitive,
  looksUnreachable,
} from "../src/index.js";

// Lines as @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1) logs them against Apache
// Kafka 4.1, one per way of getting the settings wrong.
const LINES = {
  wrongPassword:
    "[thrd:sasl_ssl://127.0.0.1:29094/bootstrap]: sasl_ssl://127.0.0.1:29094/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 315ms in state AUTH_REQ)",
  unsupportedMechanism:
    "[thrd:sasl_ssl://127.0.0.1:29094/bootstrap]: sasl_ssl://127.0.0.1:29094/bootstrap: SASL PLAIN mechanism handshake failed: Broker: Unsupported SASL mechanism: broker's supported mechanisms: SCRAM-SHA-512,SCRAM-SHA-256 (after 303ms in state AUTH_HANDSHAKE)",
  untrustedCa:
    "[thrd:sasl_ssl://127.0.0.1:29094/bootstrap]: sasl_ssl://127.0.0.1:29094/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified, verify that ssl.ca.location is correctly configured or root CA certificates are installed (install ca-certificates package) (after 27ms in state SSL_HANDSHAKE, 1 identical error(s) suppressed)",
  tlsToPlaintext:
    "[thrd:sasl_ssl://127.0.0.1:29092/bootstrap]: sasl_ssl://127.0.0.1:29092/bootstrap: SSL handshake failed: Disconnected: SSL connection closed by peer: connecting to a PLAINTEXT broker listener? (after 7ms in state SSL_HANDSHAKE)",
  noClientCertificate:
    "[thrd:ssl://127.0.0.1:29095/bootstrap]: ssl://127.0.0.1:29095/bootstrap: Receive failed: error:0A000412:SSL routines::ssl/tls alert bad certificate: SSL alert number 42 (after 0ms in state APIVERSION_QUERY)",
  tlsWithoutSasl:
    "[thrd:ssl://127.0.0.1:29094/bootstrap]: ssl://127.0.0.1:29094/bootstrap: Disconnected: SSL connection closed by peer (after 5ms in state UP)",
  plaintextToTls:
    "[thrd:127.0.0.1:29094/bootstrap]: 127.0.0.1:29094/bootstrap: Disconnected: connection closed by peer: receive 0 after POLLIN (after 1ms in state APIVERSION_QUERY)",
  refused:
    "[thrd:127.0.0.1:9/bootstrap]: 127.0.0.1:9/bootstrap: Connect to ipv4#127.0.0.1:9 failed: Connection refused (after 4ms in state CONNECT)",
  knownBroker:
    "[thrd:sasl_ssl://kafka-1.internal:9094/1]: sasl_ssl://kafka-1.internal:9094/1: SASL authentication error: Authentication failed (after 100ms in state AUTH_REQ)",
};

describe("connectionFailureIn", () => {
  it.each([
    ["wrongPassword", "authentication", "127.0.0.1:29094"],
    ["unsupportedMechanism", "authentication", "127.0.0.1:29094"],
    ["untrustedCa", "tls", "127.0.0.1:29094"],
    ["tlsToPlaintext", "tls", "127.0.0.1:29092"],
    ["noClientCertificate", "tls", "127.0.0.1:29095"],
    ["tlsWithoutSasl", "connection", "127.0.0.1:29094"],
    ["plaintextToTls", "connection", "127.0.0.1:29094"],
    ["refused", "connection", "127.0.0.1:9"],
    ["knownBroker", "authentication", "kafka-1.internal:9094"],
  ] as const)("reads %s as a %s failure at %s", (line, kind, broker) => {
    expect(connectionFailureIn(LINES[line])).toMatchObject({ kind, broker });
  });

  it("keeps the client's reason without its timing", () => {
    expect(connectionFailureIn(LINES.untrustedCa)?.reason).toBe(
      "SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified, verify that ssl.ca.location is correctly configured or root CA certificates are installed (install ca-certificates package)",
    );
  });

  it("ignores lines that are not about a broker connection", () => {
    for (const line of [
      "Admin client connected",
      "[thrd:main]: Starting re-bootstrap sequence",
      "[thrd:sasl_ssl://127.0.0.1:29094/bootstrap]: sasl_ssl://127.0.0.1:29094/bootstrap: Broker changed state CONNECT -> SSL_HANDSHAKE",
    ]) {
      expect(connectionFailureIn(line)).toBeUndefined();
    }
  });

  it("says what the usual settings mismatches mean", () => {
    expect(connectionFailureIn(LINES.plaintextToTls)?.hint).toMatch(/expect TLS/);
    expect(connectionFailureIn(LINES.tlsWithoutSasl)?.hint).toMatch(/expect SASL credentials/);
    expect(connectionFailureIn(LINES.noClientCertificate)?.hint).toMatch(/client certificate/);
    expect(connectionFailureIn(LINES.refused)?.hint).toBeUndefined();
  });

  it("counts authentication and TLS failures as definitive, a lost connection not", () => {
    const definitive = (line: keyof typeof LINES) => {
      const failure = connectionFailureIn(LINES[line]);
      return failure !== undefined && isDefinitive(failure);
    };
    expect(definitive("wrongPassword")).toBe(true);
    expect(definitive("untrustedCa")).toBe(true);
    expect(definitive("tlsWithoutSasl")).toBe(false);
    expect(definitive("refused")).toBe(false);
  });
});

describe("describeConnectionFailure", () => {
  it("names the broker and the failure in one line", () => {
    const describe = (line: keyof typeof LINES) => {
      const failure = connectionFailureIn(LINES[line]);
      if (!failure) throw new Error(`no failure in ${line}`);
      return describeConnectionFailure(failure);
    };
    expect(describe("wrongPassword")).toBe(
      "SASL authentication failed at 127.0.0.1:29094: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512",
    );
    expect(describe("untrustedCa")).toMatch(
      /^TLS with 127\.0\.0\.1:29094 failed: error:0A000086:SSL routines::certificate verify failed: /,
    );
    expect(describe("plaintextToTls")).toMatch(
      /^127\.0\.0\.1:29094: Disconnected: connection closed by peer: receive 0 after POLLIN \(the broker closed/,
    );
    for (const line of Object.keys(LINES) as (keyof typeof LINES)[])
      expect(describe(line)).not.toContain("\n");
  });
});

describe("ConnectionWatch", () => {
  const recorder = () => {
    const lines: string[] = [];
    const logger = {
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      error: (m: string) => lines.push(`error ${m}`),
      debug: (m: string) => lines.push(`debug ${m}`),
      namespace: () => logger,
      setLogLevel: () => {},
    };
    return { lines, logger };
  };

  it("refuses at the first definitive failure and keeps its line out of the app's log", async () => {
    const app = recorder();
    const watch = new ConnectionWatch(app.logger);
    watch.logger.info("Admin client connected");
    watch.logger.error(LINES.wrongPassword);
    await expect(watch.refused).rejects.toThrow(
      /^SASL authentication failed at 127\.0\.0\.1:29094: Authentication failed/,
    );
    expect(app.lines).toEqual(["info Admin client connected", `debug ${LINES.wrongPassword}`]);
  });

  it("does not refuse on a lost connection but adds it to the error that ends the wait", async () => {
    const watch = new ConnectionWatch(undefined);
    watch.logger.warn(LINES.tlsWithoutSasl);
    let outcome = "waiting";
    watch.refused.then(
      () => {
        outcome = "refused";
      },
      () => {
        outcome = "refused";
      },
    );
    // Every callback the warning could have queued runs before this line.
    await new Promise((resolve) => setImmediate(resolve));
    expect(outcome).toBe("waiting");
    const explained = watch.explain(new Error("Local: Broker transport failure"));
    expect(explained).toBeInstanceOf(BrokerConnectionError);
    expect(explained.message).toBe(
      "Local: Broker transport failure; connection failure: 127.0.0.1:29094: Disconnected: SSL connection closed by peer (the broker closed the connection after the TLS handshake: does this listener expect SASL credentials (security protocol sasl_ssl)?)",
    );
    expect(looksUnreachable(explained)).toBe(false);
  });

  it("explains with the failure that says what it means, not a reconnect's broken pipe after it", () => {
    const watch = new ConnectionWatch(undefined);
    watch.logger.warn(LINES.tlsWithoutSasl);
    watch.logger.error(
      "[thrd:ssl://127.0.0.1:29094/bootstrap]: ssl://127.0.0.1:29094/bootstrap: Send failed: error:80000020:system library::Broken pipe: tls_retry_write_records failure (after 1ms in state UP)",
    );
    expect(watch.explain(new Error("Local: Broker transport failure")).message).toMatch(
      /SSL connection closed by peer \(the broker closed the connection after the TLS handshake/,
    );
  });

  it("leaves an error alone when no connection failed, and calls a refused connect unreachable", () => {
    const quiet = new ConnectionWatch(undefined);
    const error = new Error("something else");
    expect(quiet.explain(error)).toBe(error);
    const refused = new ConnectionWatch(undefined);
    refused.logger.error(LINES.refused);
    expect(looksUnreachable(refused.explain(new Error("Local: Broker transport failure")))).toBe(true);
  });
});
