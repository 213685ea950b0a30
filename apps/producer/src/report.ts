import type { ProduceProgress, ProduceSummary } from "@deletion/kafka";

const number = new Intl.NumberFormat("en-US");
const rate = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** The summary as fields for the JSON log line. */
export function summaryFields(summary: ProduceSummary, topic: string, idPrefix: string) {
  return {
    topic,
    idPrefix,
    count: summary.produced,
    requested: summary.requested,
    partitions: summary.partitions,
    partitionCount: summary.partitions.length,
    elapsedMs: Math.round(summary.elapsedMs),
    messagesPerSecond: Math.round(summary.messagesPerSecond),
    firstId: summary.firstId,
    lastId: summary.lastId,
    aborted: summary.aborted,
  };
}

/** "produced 1,000 deletion requests to t (3 partitions) in 0.41 s: 2,439 msgs/s; ids run-000001..run-001000" */
export function summaryLine(summary: ProduceSummary, topic: string): string {
  const head = summary.aborted
    ? `interrupted: produced ${number.format(summary.produced)} of ${number.format(summary.requested)}`
    : `produced ${number.format(summary.produced)}`;
  const ids = summary.firstId ? `; ids ${summary.firstId}..${summary.lastId}` : "";
  return (
    `${head} deletion requests to ${topic} (${summary.partitions.length} partition(s)) ` +
    `in ${(summary.elapsedMs / 1000).toFixed(2)} s: ${rate.format(summary.messagesPerSecond)} msgs/s${ids}`
  );
}

/** "progress: 40,000 / 100,000 (40 %) after 3.1 s" */
export function progressLine(progress: ProduceProgress): string {
  const percent = Math.floor((progress.produced * 100) / progress.total);
  return (
    `progress: ${number.format(progress.produced)} / ${number.format(progress.total)} (${percent} %) ` +
    `after ${(progress.elapsedMs / 1000).toFixed(1)} s`
  );
}
