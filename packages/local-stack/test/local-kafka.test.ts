import { existsSync, readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalKafka, startLocalKafka } from "../src/index.js";

// Written out here rather than reusing src/kafka-probe.ts, so the check does not share
// the code it checks. Kafka wire protocol, ApiVersions (key 18) v0.
function apiVersionsV0(
  host: string,
  port: number,
  correlationId: number,
  open: (ready: () => void) => Socket | TLSSocket = (ready) => connect({ host, port }, ready),
): Promise<{ correlationId: number; errorCode: number }> {
  const clientId = Buffer.from("test-kit-test");
  const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
  request.writeInt32BE(request.length - 4, 0);
  request.writeInt16BE(18, 4);
  request.writeInt16BE(0, 6);
  request.writeInt32BE(correlationId, 8);
  request.writeInt16BE(clientId.length, 12);
  clientId.copy(request, 14);
  return new Promise((resolve, reject) => {
    const socket = open(() => socket.write(request));
    let buf = Buffer.alloc(0);
    socket.setTimeout(10_000, () => socket.destroy(new Error("ApiVersions timed out")));
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`connection to ${host}:${port} closed without a reply`)));
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        socket.end();
        resolve({ correlationId: buf.readInt32BE(4), errorCode: buf.readInt16BE(8) });
      }
    });
  });
}

/** Resolves "connected" or the socket error code (e.g. ECONNREFUSED). */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve("connected");
    });
    socket.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function hostPort(bootstrapServers: string): [string, number] {
  const [host = "", port = ""] = bootstrapServers.split(":");
  return [host, Number(port)];
}

/** A TLS connection trusting only `caFile`, optionally with a client certificate. */
function tlsTo(
  bootstrapServers: string,
  caFile: string,
  client?: { certFile: string; keyFile: string },
): (ready: () => void) => TLSSocket {
  const [host, port] = hostPort(bootstrapServers);
  return (ready) =>
    connectTls(
      {
        host,
        port,
        ca: readFileSync(caFile),
        ...(client ? { cert: readFileSync(client.certFile), key: readFileSync(client.keyFile) } : {}),
      },
      ready,
    );
}

/** Resolves "verified" once the handshake checked the broker's certificate, or the error code. */
function handshake(bootstrapServers: string, caFile: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsTo(
      bootstrapServers,
      caFile,
    )(() => {
      resolve(socket.authorized ? "verified" : String(socket.authorizationError));
      socket.destroy();
    });
    socket.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe("startLocalKafka", () => {
  let kafka: LocalKafka;

  beforeAll(async () => {
    kafka = await startLocalKafka({ secured: true });
  }, 180_000);

  afterAll(async () => {
    await kafka?.stop();
  }, 30_000);

  it("binds 127.0.0.1 and answers a Kafka ApiVersions request", async () => {
    const [host, port] = hostPort(kafka.bootstrapServers);
    expect(host).toBe("127.0.0.1");
    expect(await tryConnect(host, port)).toBe("connected");
    const reply = await apiVersionsV0(host, port, 424242);
    expect(reply).toEqual({ correlationId: 424242, errorCode: 0 });
    expect(isAlive(kafka.pid)).toBe(true);
    expect(existsSync(kafka.dir)).toBe(true);
  });

  it("serves TLS on the secured listeners with a certificate for 127.0.0.1 that only its own CA signed", async () => {
    const secured = kafka.secured;
    if (!secured) throw new Error("no secured listeners");
    for (const servers of [secured.saslSslBootstrapServers, secured.mutualTlsBootstrapServers]) {
      expect(await handshake(servers, secured.caFile)).toBe("verified");
      expect(await handshake(servers, secured.untrustedCaFile)).toMatch(
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i,
      );
    }
    for (const file of [secured.caFile, secured.clientCertFile, secured.clientKeyFile]) {
      expect(file.startsWith(kafka.dir)).toBe(true);
    }
  });

  it("answers on the mutual-TLS listener only a client with a certificate signed by the CA", async () => {
    const secured = kafka.secured;
    if (!secured) throw new Error("no secured listeners");
    const [host, port] = hostPort(secured.mutualTlsBootstrapServers);
    const client = { certFile: secured.clientCertFile, keyFile: secured.clientKeyFile };
    const reply = await apiVersionsV0(
      host,
      port,
      77,
      tlsTo(secured.mutualTlsBootstrapServers, secured.caFile, client),
    );
    expect(reply).toEqual({ correlationId: 77, errorCode: 0 });
    await expect(
      apiVersionsV0(host, port, 78, tlsTo(secured.mutualTlsBootstrapServers, secured.caFile)),
    ).rejects.toThrow(/certificate|closed without a reply|ECONNRESET/i);
  });

  it("makes one SCRAM user per mechanism, each with its own password", () => {
    const users = kafka.secured?.users ?? [];
    expect(users.map((u) => [u.mechanism, u.username])).toEqual([
      ["SCRAM-SHA-512", "deletion-512"],
      ["SCRAM-SHA-256", "deletion-256"],
    ]);
    expect(new Set(users.map((u) => u.password)).size).toBe(2);
    for (const user of users) expect(user.password).toMatch(/^[0-9a-f]{36}$/);
  });

  it("leaves no process, port or temp dir behind after stop()", async () => {
    const [host, port] = hostPort(kafka.bootstrapServers);
    await kafka.stop();
    expect(await tryConnect(host, port)).toBe("ECONNREFUSED");
    for (const servers of [
      kafka.secured?.saslSslBootstrapServers,
      kafka.secured?.mutualTlsBootstrapServers,
    ]) {
      expect(await tryConnect(...hostPort(servers ?? ""))).toBe("ECONNREFUSED");
    }
    expect(existsSync(kafka.dir)).toBe(false);
    expect(() => process.kill(kafka.pid, 0)).toThrow();
    // stop() is idempotent
    await kafka.stop();
  }, 30_000);
});

describe("startLocalKafka failures", () => {
  it("rejects with the broker's own output when Kafka refuses its config", async () => {
    const attempt = startLocalKafka({ brokerProperties: { "num.io.threads": "not-a-number" } });
    await expect(attempt).rejects.toThrow(/num\.io\.threads/);
  }, 120_000);
});
