// A TCP proxy that delays every chunk by half a round trip in each direction: a Resonate server
// "a network hop away" on one machine. Bytes keep their order (equal delays fire in order).
import net from "node:net";

export interface LatencyProxy {
  url: string;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (a URL) adding `rttMs`; resolves to its URL and a close(). */
export async function startLatencyProxy(target: string, rttMs: number): Promise<LatencyProxy> {
  const upstream = new URL(target);
  const oneWay = rttMs / 2;
  const sockets = new Set<net.Socket>();
  const forward = (from: net.Socket, to: net.Socket) =>
    from.on("data", (chunk) => {
      setTimeout(() => {
        if (to.writable) to.write(chunk);
      }, oneWay);
    });
  const server = net.createServer((client) => {
    const remote = net.connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, remote]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    forward(client, remote);
    forward(remote, client);
    const endLater = (s: net.Socket) => () => setTimeout(() => s.end(), oneWay);
    client.on("end", endLater(remote));
    remote.on("end", endLater(client));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no TCP port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
