import { LOG_EVENTS } from "@deletion/contracts";
import type { Logger } from "pino";

/**
 * Without a Resonate server each worker keeps its promises in its own memory, so a record
 * redelivered to another worker is deleted by both. Owning only some of the topic's partitions
 * means other members share this group: say so loudly.
 */
export async function warnIfGroupShared(
  assigned: number,
  partitionCount: () => Promise<number>,
  logger: Logger,
): Promise<void> {
  if (assigned === 0) return;
  const total = await partitionCount().catch(() => 0);
  if (assigned >= total) return;
  logger.warn(
    { event: LOG_EVENTS.sharedGroupWithoutServer, assigned, partitions: total },
    "several workers share this group but no Resonate server is configured: a record moved between workers by a rebalance can be deleted twice. Set RESONATE_URL to run more than one worker.",
  );
}
