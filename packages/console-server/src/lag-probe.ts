import type { Admin } from "@deletion/kafka";
import type { LagView } from "./view.js";

/**
 * The workers' group's lag per partition of the request topic: the topic's end minus the group's
 * committed offset (or minus the topic's start where the group has committed nothing).
 */
export async function readGroupLag(
  admin: Pick<Admin, "fetchTopicOffsets" | "fetchOffsets">,
  groupId: string,
  topic: string,
): Promise<LagView["partitions"]> {
  const ends = await admin.fetchTopicOffsets(topic);
  const groups = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = new Map<number, bigint>();
  for (const p of groups.find((g) => g.topic === topic)?.partitions ?? []) {
    if (BigInt(p.offset) >= 0n) committed.set(p.partition, BigInt(p.offset));
  }
  return ends.map((p) => {
    const end = BigInt(p.high);
    const at = committed.get(p.partition);
    const from = at ?? BigInt(p.low);
    const lag = end > from ? Number(end - from) : 0;
    return { partition: p.partition, committed: at === undefined ? null : String(at), end: String(end), lag };
  });
}
