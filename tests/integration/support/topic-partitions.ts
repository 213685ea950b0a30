import { withAdmin } from "./with-admin.js";

/** Partition count per topic, from the broker's metadata; a missing topic is absent from the map. */
export async function topicPartitions(
  brokers: string,
  names: readonly string[],
): Promise<Map<string, number>> {
  return withAdmin(brokers, async (admin) => {
    const existing = new Set(await admin.listTopics({ timeout: 30_000 }));
    const present = names.filter((n) => existing.has(n));
    if (present.length === 0) return new Map();
    const metadata = await admin.fetchTopicMetadata({ topics: present, timeout: 30_000 });
    return new Map(metadata.map((t) => [t.name, t.partitions.length]));
  });
}
