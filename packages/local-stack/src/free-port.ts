import { createServer } from "node:net";

/**
 * Asks the OS for a port that is free on 127.0.0.1 right now. Another process may take it
 * before the broker binds it, so callers retry on "Address already in use".
 */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("could not read the free port"))));
    });
  });
}
