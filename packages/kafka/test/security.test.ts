import { describe, expect, it } from "vitest";
import { librdkafkaSecurity } from "../src/index.js";

describe("librdkafkaSecurity", () => {
  it("adds nothing without settings: librdkafka's plaintext default", () => {
    expect(librdkafkaSecurity(undefined)).toEqual({});
    expect(librdkafkaSecurity({ protocol: "plaintext" })).toEqual({ "security.protocol": "plaintext" });
  });

  it("maps SASL over TLS with a CA to librdkafka's property names", () => {
    expect(
      librdkafkaSecurity({
        protocol: "sasl_ssl",
        sasl: { mechanism: "SCRAM-SHA-256", username: "deletor", password: "pw" },
        tls: { caFile: "/run/secrets/ca.pem" },
      }),
    ).toEqual({
      "security.protocol": "sasl_ssl",
      "sasl.mechanisms": "SCRAM-SHA-256",
      "sasl.username": "deletor",
      "sasl.password": "pw",
      "ssl.ca.location": "/run/secrets/ca.pem",
    });
  });

  it("maps a client certificate and key for mutual TLS, with the system's CAs when none is given", () => {
    expect(
      librdkafkaSecurity({ protocol: "ssl", tls: { certFile: "/c/client.pem", keyFile: "/c/client.key" } }),
    ).toEqual({
      "security.protocol": "ssl",
      "ssl.certificate.location": "/c/client.pem",
      "ssl.key.location": "/c/client.key",
    });
  });
});
