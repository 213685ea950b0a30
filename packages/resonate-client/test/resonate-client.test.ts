import { type Logger, type Network, Resonate, ResonateTimeoutException } from "@resonatehq/sdk";
import { describe, expect, it } from "vitest";
import { createResonateClient, probeResonate, type ResonateClient } from "../src/resonate-client.js";

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface Internals {
  heartbeat: { constructor: { name: string }; delay: number };
  network: Network;
}

describe("createResonateClient with a server URL", () => {
  it("runs like the SDK's own url mode: same heartbeat, same addresses", async () => {
    const url = "http://127.0.0.1:9"; // nothing listens; nothing here sends a request
    const options = { group: "deletors", pid: "worker-1" };
    const sdk = new Resonate({ url, ...options, ttl: 30_000, logger: silent }) as unknown as Internals;
    const client = createResonateClient({ url, ...options, ttlMs: 30_000, logger: silent });
    const ours = client.resonate as unknown as Internals;
    try {
      expect(client.durability).toBe("server");
      expect(ours.heartbeat.constructor.name).toBe(sdk.heartbeat.constructor.name);
      expect(ours.heartbeat.delay).toBe(sdk.heartbeat.delay);
      expect(ours.network.unicast).toBe(sdk.network.unicast);
      expect(ours.network.anycast).toBe(sdk.network.anycast);
      expect(ours.network.match("other")).toBe(sdk.network.match("other"));
      expect(client.health()).toEqual({ state: "healthy", url });
    } finally {
      await (sdk as unknown as Resonate).stop();
      await client.resonate.stop();
    }
  });
});

describe("probeResonate", () => {
  function clientWithLookup(get: () => Promise<unknown>): ResonateClient & { lookups: number } {
    const client = {
      lookups: 0,
      durability: "server" as const,
      health: () => ({ state: "healthy" as const, url: "x" }),
      heartbeatGapMaxMs: () => 0,
      resonate: {
        promises: {
          get: () => {
            client.lookups++;
            return get();
          },
        },
      } as unknown as Resonate,
    };
    return client;
  }

  it("runs one lookup at a time: a probe asked for meanwhile joins it", async () => {
    const answer = Promise.withResolvers<unknown>();
    const client = clientWithLookup(() => answer.promise);
    const first = probeResonate(client, "deletion/_readiness-probe");
    const second = probeResonate(client, "deletion/_readiness-probe");
    expect(client.lookups).toBe(1);
    answer.reject(new Error("promise not found")); // a protocol answer: reachable
    expect(await Promise.all([first, second])).toEqual([true, true]);
    await probeResonate(client, "deletion/_readiness-probe");
    expect(client.lookups).toBe(2);
  });

  it("a platform failure (refused, unreachable) is not reachable", async () => {
    const client = clientWithLookup(() => Promise.reject(new ResonateTimeoutException("HTTP 400")));
    expect(await probeResonate(client, "deletion/_readiness-probe")).toBe(false);
  });
});
