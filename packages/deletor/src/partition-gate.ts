import { type PartitionControl, partitionKey, type TopicPartition } from "./consumer-port.js";

/**
 * Holds partitions back while the worker is at a bound, without losing a message, and without
 * the consume loop ever waiting: the client keeps polling a paused partition set, so rebalance
 * callbacks run and the group's max poll interval is never exceeded.
 *
 * The client's pause() alone loses messages. With @confluentinc/kafka-javascript 1.10 it drops
 * the messages it fetched ahead for a paused partition and repositions the partition after the
 * last message it handed out, but only if it handed one out since the partition's last seek;
 * otherwise the dropped messages are skipped for good (measured: pausing at a bound of 20 in
 * flight, 8,000 messages on 3 partitions, thousands were never delivered). So the gate never
 * relies on the client's position: a partition is paused when a message arrives for it while
 * the gate is closed; that message is not accepted and its offset is where the partition
 * resumes, by an explicit seek before resume().
 */
export class PartitionGate {
  private state: "open" | "closed" | "shut" = "open";
  /** Held partitions, each with the offset of its first message not accepted. */
  private readonly held = new Map<string, { partition: TopicPartition; offset: string }>();

  constructor(private readonly control: PartitionControl) {}

  get closed(): boolean {
    return this.state !== "open";
  }

  get heldPartitions(): number {
    return this.held.size;
  }

  /**
   * Whether a message just delivered may be accepted. If not, its partition is paused (the
   * client may still deliver a few messages fetched before the pause: they are refused too) and
   * will be read again from this message on.
   */
  admit(partition: TopicPartition, offset: string): boolean {
    if (this.state === "open") return true;
    if (this.state === "shut") return false;
    const key = partitionKey(partition);
    if (!this.held.has(key)) {
      this.held.set(key, { partition: { topic: partition.topic, partition: partition.partition }, offset });
      this.control.pause([partition]);
    }
    return false;
  }

  /**
   * Stop accepting. Partitions are paused one by one as their next message arrives: only then is
   * the offset to resume from known for certain.
   */
  close(): void {
    if (this.state === "open") this.state = "closed";
  }

  /** Accept again: every held partition is read again from its first message not accepted. */
  open(): void {
    if (this.state !== "closed") return;
    this.state = "open";
    const held = [...this.held.values()];
    this.held.clear();
    if (held.length === 0) return;
    for (const { partition, offset } of held) this.control.seek(partition, offset);
    this.control.resume(held.map((h) => h.partition));
  }

  /**
   * The partitions are no longer ours: forget where they would resume and un-pause them, so a
   * later assignment starts from the committed offset like any other.
   */
  revoke(partitions: TopicPartition[]): void {
    const released = partitions.filter((p) => this.held.delete(partitionKey(p)));
    if (released.length > 0) this.control.resume(released);
  }

  /** Shutdown: accept nothing from now on and stop fetching every partition. */
  shut(assignment: TopicPartition[]): void {
    this.state = "shut";
    this.held.clear();
    if (assignment.length > 0) this.control.pause(assignment);
  }
}
