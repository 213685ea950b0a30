// A TCP proxy that delays every chunk by half a round trip in each direction: a Resonate server
// "a network hop away" on one machine. Bytes keep their order (equal delays fire in order).
import net from "node:net";

/** Starts a proxy to `target` (a URL) adding `rttMs`; resolves to its URL and a close(). */
export async function startLatencyProxy(target, rttMs) {
  const upstream = new URL(target);
  const oneWay = rttMs / 2;
  const sockets = new Set();
  const forward = (from, to) =>
    from.on("data", (chunk) => {
      setTimeout(() => to.writable && to.write(chunk), oneWay);
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
    const endLater = (s) => () => setTimeout(() => s.end(), oneWay);
    client.on("end", endLater(remote));
    remote.on("end", endLater(client));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(resolve);
      }),
  };
}
