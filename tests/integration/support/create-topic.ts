import { ensureTopics } from "@deletion/kafka";
import { withAdmin } from "./with-admin.js";

/** Creates a topic (if missing) and returns once its metadata shows the partitions. */
export async function createTopic(brokers: string, name: string, partitions: number): Promise<void> {
  await withAdmin(brokers, (admin) =>
    ensureTopics(admin, [{ name, partitions, replicationFactor: 1 }], 30_000),
  );
}
