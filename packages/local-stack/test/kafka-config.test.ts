import { describe, expect, it } from "vitest";
import { serverProperties } from "../src/index.js";

const parse = (text: string) =>
  new Map(
    text
      .trim()
      .split("\n")
      .map((line) => {
        const at = line.indexOf("=");
        return [line.slice(0, at), line.slice(at + 1)] as const;
      }),
  );

describe("serverProperties", () => {
  it("has one plaintext client listener unless asked for the secured ones", () => {
    const props = parse(serverProperties({ brokerPort: 1, controllerPort: 2, dataDir: "/d" }));
    expect(props.get("listeners")).toBe("PLAINTEXT://127.0.0.1:1,CONTROLLER://127.0.0.1:2");
    expect(props.get("advertised.listeners")).toBe("PLAINTEXT://127.0.0.1:1");
    expect([...props.keys()].some((k) => k.startsWith("ssl.") || k.startsWith("sasl."))).toBe(false);
  });

  it("adds SASL_SSL with both SCRAM mechanisms and SSL that requires a client certificate", () => {
    const props = parse(
      serverProperties({
        brokerPort: 1,
        controllerPort: 2,
        dataDir: "/d",
        secured: { saslSslPort: 3, mutualTlsPort: 4, keystoreFile: "/k/broker.pem", caFile: "/k/ca.pem" },
      }),
    );
    expect(props.get("listeners")).toBe(
      "PLAINTEXT://127.0.0.1:1,SASL_SSL://127.0.0.1:3,SSL://127.0.0.1:4,CONTROLLER://127.0.0.1:2",
    );
    expect(props.get("advertised.listeners")).toBe(
      "PLAINTEXT://127.0.0.1:1,SASL_SSL://127.0.0.1:3,SSL://127.0.0.1:4",
    );
    expect(props.get("inter.broker.listener.name")).toBe("PLAINTEXT");
    expect(props.get("listener.security.protocol.map")).toBe(
      "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL",
    );
    expect(props.get("sasl.enabled.mechanisms")).toBe("SCRAM-SHA-512,SCRAM-SHA-256");
    expect(props.get("listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config")).toMatch(
      /ScramLoginModule required;$/,
    );
    expect(props.get("ssl.keystore.type")).toBe("PEM");
    expect(props.get("ssl.keystore.location")).toBe("/k/broker.pem");
    expect(props.get("ssl.truststore.location")).toBe("/k/ca.pem");
    expect(props.get("listener.name.ssl.ssl.client.auth")).toBe("required");
  });

  it("enforces ACLs only when asked, with the given super users and the brokers' anonymous principal", () => {
    const secured = { saslSslPort: 3, mutualTlsPort: 4, keystoreFile: "/k/b.pem", caFile: "/k/ca.pem" };
    const open = parse(serverProperties({ brokerPort: 1, controllerPort: 2, dataDir: "/d", secured }));
    expect(open.has("authorizer.class.name")).toBe(false);
    const props = parse(
      serverProperties({
        brokerPort: 1,
        controllerPort: 2,
        dataDir: "/d",
        secured: { ...secured, superUsers: ["User:admin"] },
      }),
    );
    expect(props.get("authorizer.class.name")).toBe(
      "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    );
    expect(props.get("super.users")).toBe("User:admin;User:ANONYMOUS");
    expect(props.get("allow.everyone.if.no.acl.found")).toBe("false");
  });
});
