import type { Admin } from "./client.js";

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  /**
   * How long the topic keeps a message (retention.ms) when it is created here; unset: the
   * broker's default. A request or completion names a record someone asked to have deleted, so
   * how long it stays is a decision, not an accident of the broker's defaults.
   */
  retentionMs?: number;
}

export type TopicStatus =
  | { name: string; status: "created"; partitions: number }
  | { name: string; status: "exists"; partitions: number }
  | { name: string; status: "partition-mismatch"; partitions: number; expected: number };

type TopicAdmin = Pick<Admin, "listTopics" | "createTopics" | "fetchTopicMetadata">;

/**
 * Creates the topics that are missing and reports on the ones that exist. Safe to run again:
 * an existing topic is never changed, only compared. A different partition count is reported,
 * not fixed: adding partitions would move keys to other partitions, and Kafka cannot remove any.
 */
export async function ensureTopics(
  admin: TopicAdmin,
  specs: TopicSpec[],
  timeoutMs: number,
): Promise<TopicStatus[]> {
  const existing = new Set(await admin.listTopics({ timeout: timeoutMs }));
  const created = new Set<string>();
  for (const spec of specs.filter((s) => !existing.has(s.name))) {
    if (await createTopic(admin, spec, timeoutMs)) created.add(spec.name);
  }
  const partitionsOf = await partitionCounts(
    admin,
    specs.map((s) => s.name),
    timeoutMs,
  );
  return specs.map((spec): TopicStatus => {
    const partitions = partitionsOf.get(spec.name) ?? 0;
    if (created.has(spec.name)) return { name: spec.name, status: "created", partitions };
    if (partitions !== spec.partitions) {
      return { name: spec.name, status: "partition-mismatch", partitions, expected: spec.partitions };
    }
    return { name: spec.name, status: "exists", partitions };
  });
}

/**
 * One topic per call: createTopics answers false when *any* topic of the call already existed,
 * so only a single-topic call tells whether another instance created this one meanwhile.
 */
async function createTopic(admin: TopicAdmin, spec: TopicSpec, timeoutMs: number): Promise<boolean> {
  try {
    return await admin.createTopics({
      timeout: timeoutMs,
      topics: [
        {
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          ...(spec.retentionMs !== undefined
            ? { configEntries: [{ name: "retention.ms", value: String(spec.retentionMs) }] }
            : {}),
        },
      ],
    });
  } catch (error) {
    throw new Error(`creating topic ${spec.name} failed: ${describeAdminError(error)}`, { cause: error });
  }
}

/**
 * Right after a create, the broker can still answer "unknown topic" for a moment, so metadata
 * is asked again until it answers or the time is up.
 */
async function partitionCounts(
  admin: TopicAdmin,
  names: string[],
  timeoutMs: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: names, timeout: timeoutMs });
      const counts = new Map(metadata.map((t) => [t.name, t.partitions.length]));
      if (names.every((n) => (counts.get(n) ?? 0) > 0)) return counts;
      if (Date.now() >= deadline) return counts;
    } catch (error) {
      if (Date.now() >= deadline) {
        throw new Error(`reading metadata of ${names.join(", ")} failed: ${describeAdminError(error)}`, {
          cause: error,
        });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The client wraps per-topic failures in an aggregate whose own message says little. */
function describeAdminError(error: unknown): string {
  const nested = (error as { errors?: unknown[] } | null)?.errors;
  const first = Array.isArray(nested) && nested.length > 0 ? nested[0] : error;
  return first instanceof Error ? first.message : String(first);
}
