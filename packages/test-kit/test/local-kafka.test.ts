import { existsSync } from "node:fs";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalKafka, startBroker, startLocalKafka, uniqueName } from "../src/index.js";

// Written out here rather than reusing src/kafka-probe.ts, so the check does not share
// the code it checks. Kafka wire protocol, ApiVersions (key 18) v0.
function apiVersionsV0(
  host: string,
  port: number,
  correlationId: number,
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
    const socket = connect({ host, port }, () => socket.write(request));
    let buf = Buffer.alloc(0);
    socket.setTimeout(10_000, () => socket.destroy(new Error("ApiVersions timed out")));
    socket.on("error", reject);
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

describe("startLocalKafka", () => {
  let kafka: LocalKafka;

  beforeAll(async () => {
    kafka = await startLocalKafka();
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

  it("leaves no process, port or temp dir behind after stop()", async () => {
    const [host, port] = hostPort(kafka.bootstrapServers);
    await kafka.stop();
    expect(await tryConnect(host, port)).toBe("ECONNREFUSED");
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

describe("startBroker", () => {
  it("uses KAFKA_BROKERS as is and starts nothing", async () => {
    const broker = await startBroker({ env: { KAFKA_BROKERS: "x:1" }, kind: "kafka" });
    expect(broker).toMatchObject({ kind: "external", bootstrapServers: "x:1" });
    await broker.stop();
  });
});

describe("uniqueName", () => {
  it("gives distinct names made only of Kafka's topic characters", () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName("orders topic/ü")));
    expect(names.size).toBe(100);
    for (const name of names) {
      expect(name).toMatch(/^orders-topic--[a-zA-Z0-9._-]+$/);
      expect(name.length).toBeLessThanOrEqual(249);
    }
  });
});
