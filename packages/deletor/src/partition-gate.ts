import { type PartitionControl, partitionKey, type TopicPartition } from "./consumer-port.js";

/**
 * Holds partitions back while the worker is at a bound without the consume loop ever waiting. The
 * client's pause() alone can skip messages, so a partition resumes by an explicit seek to its
 * first refused message. Why: docs/decisions/partition-gate.md
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
