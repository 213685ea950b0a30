import { connect } from "node:net";

const API_VERSIONS_KEY = 18;

export interface ApiVersionsReply {
  correlationId: number;
  errorCode: number;
  /** How many API keys the broker advertises. */
  apiCount: number;
}

/**
 * Sends one ApiVersions v0 request over a raw socket. The broker answers it only once it
 * processes requests, which in KRaft mode starts after the controller has unfenced it, so
 * an answer means "registered and serving", not merely "port bound".
 */
export function probeApiVersions(host: string, port: number, timeoutMs = 2_000): Promise<ApiVersionsReply> {
  const correlationId = Math.floor(Math.random() * 0x7fffffff);
  const clientId = Buffer.from("test-kit-probe");
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(API_VERSIONS_KEY, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);

  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`no ApiVersions reply from ${host}:${port} in ${timeoutMs} ms`)),
    );
    socket.on("error", fail);
    socket.on("connect", () => socket.write(Buffer.concat([size, body])));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.destroy();
      if (received.length < 14)
        return reject(new Error(`short ApiVersions reply (${received.length} bytes)`));
      const reply = {
        correlationId: received.readInt32BE(4),
        errorCode: received.readInt16BE(8),
        apiCount: received.readInt32BE(10),
      };
      if (reply.correlationId !== correlationId) {
        return reject(
          new Error(`ApiVersions reply has correlation id ${reply.correlationId}, sent ${correlationId}`),
        );
      }
      resolve(reply);
    });
    socket.on("close", () => reject(new Error(`connection to ${host}:${port} closed before a full reply`)));
  });
}
