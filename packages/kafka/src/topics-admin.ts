import type { Admin } from "./client.js";

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
}

export type TopicStatus =
  | { name: string; status: "created"; partitions: number }
  | { name: string; status: "exists"; partitions: number }
  | { name: string; status: "partition-mismatch"; partitions: number; expected: number };

/**
 * Creates the topics that are missing and reports on the ones that exist. Safe to run again:
 * an existing topic is never changed, only compared (fewer partitions than asked is reported,
 * since adding partitions would move keys to other partitions).
 */
export async function ensureTopics(
  admin: Admin,
  specs: TopicSpec[],
  timeoutMs: number,
): Promise<TopicStatus[]> {
  const existing = new Set(await admin.listTopics({ timeout: timeoutMs }));
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length > 0) {
    try {
      await admin.createTopics({
        timeout: timeoutMs,
        topics: missing.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: s.replicationFactor,
        })),
      });
    } catch (error) {
      // Another instance may have created it between listTopics and createTopics.
      if (!isTopicExists(error)) throw error;
    }
  }
  const metadata = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name), timeout: timeoutMs });
  const partitionsOf = new Map(metadata.map((t) => [t.name, t.partitions.length]));
  return specs.map((spec): TopicStatus => {
    const partitions = partitionsOf.get(spec.name) ?? 0;
    if (!existing.has(spec.name)) return { name: spec.name, status: "created", partitions };
    if (partitions !== spec.partitions) {
      return { name: spec.name, status: "partition-mismatch", partitions, expected: spec.partitions };
    }
    return { name: spec.name, status: "exists", partitions };
  });
}

function isTopicExists(error: unknown): boolean {
  return error instanceof Error && /already exists/i.test(error.message);
}
