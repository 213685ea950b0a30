import { describe, expect, it } from "vitest";
import type { Admin } from "../src/client.js";
import { ensureTopics, type TopicSpec } from "../src/topics-admin.js";

type Metadata = Awaited<ReturnType<Admin["fetchTopicMetadata"]>>;

/** An admin whose metadata lags creation by `lag` calls, like a broker right after a create. */
function fakeAdmin(initial: Record<string, number>, lag = 0) {
  const topics = new Map(Object.entries(initial));
  const visible = new Map(topics);
  const created: string[] = [];
  const configs = new Map<string, Record<string, string>>();
  let calls = 0;
  return {
    created,
    configs,
    admin: {
      listTopics: async () => [...topics.keys()],
      createTopics: async ({ topics: asked }: Parameters<Admin["createTopics"]>[0]) => {
        let all = true;
        for (const t of asked) {
          if (topics.has(t.topic)) all = false;
          else {
            topics.set(t.topic, t.numPartitions ?? 1);
            created.push(t.topic);
            configs.set(t.topic, Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value])));
          }
        }
        return all;
      },
      fetchTopicMetadata: async ({ topics: names = [] }: { topics?: string[] } = {}): Promise<Metadata> => {
        if (calls++ >= lag) for (const [k, v] of topics) visible.set(k, v);
        const unknown = names.find((n) => !visible.has(n));
        if (unknown) throw new Error(`Broker: Unknown topic or partition (${unknown})`);
        return names.map((name) => ({
          name,
          partitions: Array.from({ length: visible.get(name) ?? 0 }, (_, i) => ({
            partitionErrorCode: 0,
            partitionId: i,
            leader: 1,
            replicas: [1],
            isr: [1],
          })),
        }));
      },
    },
  };
}

const specs = (partitions: number): TopicSpec[] =>
  ["a", "b", "c"].map((name) => ({ name, partitions, replicationFactor: 1 }));

describe("ensureTopics", () => {
  it("creates missing topics and reports the rest as existing", async () => {
    const { admin, created } = fakeAdmin({ a: 3 });
    const statuses = await ensureTopics(admin, specs(3), 5_000);
    expect(created).toEqual(["b", "c"]);
    expect(statuses).toEqual([
      { name: "a", status: "exists", partitions: 3 },
      { name: "b", status: "created", partitions: 3 },
      { name: "c", status: "created", partitions: 3 },
    ]);
  });

  it("changes nothing on a second run", async () => {
    const { admin, created } = fakeAdmin({});
    await ensureTopics(admin, specs(2), 5_000);
    const again = await ensureTopics(admin, specs(2), 5_000);
    expect(created).toEqual(["a", "b", "c"]);
    expect(again.map((s) => s.status)).toEqual(["exists", "exists", "exists"]);
  });

  it("reports an existing topic with another partition count, without touching it", async () => {
    const { admin, created } = fakeAdmin({ a: 1, b: 3, c: 3 });
    const statuses = await ensureTopics(admin, specs(3), 5_000);
    expect(created).toEqual([]);
    expect(statuses[0]).toEqual({ name: "a", status: "partition-mismatch", partitions: 1, expected: 3 });
  });

  it("waits for metadata that lags behind a create", async () => {
    const { admin } = fakeAdmin({}, 2);
    const statuses = await ensureTopics(admin, specs(3), 5_000);
    expect(statuses.map((s) => [s.status, s.partitions])).toEqual([
      ["created", 3],
      ["created", 3],
      ["created", 3],
    ]);
  });

  it("names the topic when a create fails", async () => {
    const { admin } = fakeAdmin({});
    admin.createTopics = async () => {
      throw Object.assign(new Error("Topic creation errors"), {
        errors: [new Error("Broker: Invalid replication factor")],
      });
    };
    await expect(ensureTopics(admin, specs(3), 5_000)).rejects.toThrow(
      "creating topic a failed: Broker: Invalid replication factor",
    );
  });
});

describe("ensureTopics retention", () => {
  it("creates a topic with the retention asked for, and leaves an existing topic's alone", async () => {
    const { admin, configs } = fakeAdmin({ old: 3 });
    await ensureTopics(
      admin as never,
      [
        { name: "requests", partitions: 3, replicationFactor: 1, retentionMs: 86_400_000 },
        { name: "plain", partitions: 3, replicationFactor: 1 },
        { name: "old", partitions: 3, replicationFactor: 1, retentionMs: 1 },
      ],
      1_000,
    );
    expect(Object.fromEntries(configs)).toEqual({ requests: { "retention.ms": "86400000" }, plain: {} });
  });
});
