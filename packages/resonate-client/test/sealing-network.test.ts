import { randomBytes } from "node:crypto";
import type { Message, Network } from "@resonatehq/sdk";
import { describe, expect, it } from "vitest";
import { createPayloadCipher, SealingNetwork, UNREADABLE_PREFIX, unreadableGuard } from "../src/index.js";

const cipher = createPayloadCipher({ mode: "aes-256-gcm", current: { id: "k1", key: randomBytes(32) } });
const data = Buffer.from(JSON.stringify({ recordId: "customer-17" })).toString("base64");

/** A network that stores what it is sent and answers with it, as a server would. */
function echoNetwork() {
  const sent: unknown[] = [];
  let push: ((msg: Message) => void) | undefined;
  const stored = new Map<string, Record<string, unknown>>();
  const network = {
    unicast: "u",
    anycast: "a",
    match: (t: string) => t,
    init: async () => {},
    stop: async () => {},
    recv: (cb: (msg: Message) => void) => {
      push = cb;
    },
    send: async (req: { kind: string; head: { corrId: string }; data: Record<string, unknown> }) => {
      sent.push(req);
      const action = (req.data.action as { data?: Record<string, unknown> } | undefined)?.data;
      const create = req.kind === "promise.create" ? req.data : action;
      if (create)
        stored.set(String(create.id), { id: create.id, state: "pending", param: create.param, value: {} });
      const id = String(create?.id ?? req.data.id);
      return {
        kind: req.kind,
        head: { corrId: req.head.corrId, status: 200 },
        data: { promise: stored.get(id) },
      };
    },
  };
  return { network: network as unknown as Network, sent, stored, push: (msg: Message) => push?.(msg) };
}

describe("SealingNetwork", () => {
  it("seals a param for its own promise id, and opens it for the SDK", async () => {
    const echo = echoNetwork();
    const net = new SealingNetwork(echo.network, cipher);
    const req = {
      kind: "task.create",
      head: { corrId: "1", version: "" },
      data: {
        pid: "p",
        ttl: 1,
        action: { kind: "promise.create", head: {}, data: { id: "deletion/x", param: { data } } },
      },
    };
    const answer = (await net.send(req as never)) as { data: { promise: { param: { data: string } } } };
    const storedParam = echo.stored.get("deletion/x")?.param as { data: string };
    expect(storedParam.data).toMatch(/^aes-256-gcm\+id:k1:/);
    expect(cipher.open(storedParam, "deletion/x")).toEqual({ ok: true, value: { data } });
    expect(answer.data.promise.param.data).toBe(data);
    // The SDK's own request object is left as it was built.
    expect(req.data.action.data.param.data).toBe(data);
  });

  it("marks a value moved onto another promise as unreadable, and the SDK's decoding fails with why", async () => {
    const echo = echoNetwork();
    const net = new SealingNetwork(echo.network, cipher);
    await net.send({
      kind: "promise.create",
      head: { corrId: "1", version: "" },
      data: { id: "deletion/a", param: { data } },
    } as never);
    const moved = { ...(echo.stored.get("deletion/a") as Record<string, unknown>), id: "deletion/b" };
    echo.stored.set("deletion/b", moved);
    const answer = (await net.send({
      kind: "promise.get",
      head: { corrId: "2", version: "" },
      data: { id: "deletion/b" },
    } as never)) as { data: { promise: { param: { data: string } } } };
    const param = answer.data.promise.param;
    expect(param.data.startsWith(UNREADABLE_PREFIX)).toBe(true);
    expect(() => unreadableGuard.decrypt(param)).toThrow(/fails authentication for this promise/);
  });

  it("opens the promises of pushed messages too", async () => {
    const echo = echoNetwork();
    const net = new SealingNetwork(echo.network, cipher);
    const seen: Message[] = [];
    net.recv((msg) => seen.push(msg));
    const sealed = cipher.seal({ data }, "deletion/c");
    echo.push({
      kind: "unblock",
      head: {},
      data: {
        promise: {
          id: "deletion/c",
          state: "resolved",
          param: {},
          value: sealed,
          tags: {},
          timeoutAt: 0,
          createdAt: 0,
        },
      },
    });
    expect((seen[0] as { data: { promise: { value: { data: string } } } }).data.promise.value.data).toBe(
      data,
    );
  });
});
