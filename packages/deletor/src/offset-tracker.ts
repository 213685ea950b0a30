/**
 * Which offsets of one partition are safe, when records finish out of order. The commit
 * position is the lowest offset not yet safe (everything below it is safe), or one past the
 * highest offset seen when all are: the rule Confluent's Parallel Consumer uses. Committing it
 * means a restart redelivers every record that was not safe, and only records at or above it.
 */
export class PartitionOffsets {
  /** Offsets read and not yet safe, in the order read (Kafka delivers a partition in order). */
  private readonly pending = new Map<bigint, true>();
  private highestSeen: bigint | undefined;
  private lastCommitted: bigint | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** A record was read. Offsets of one partition must arrive in increasing order. */
  track(offset: bigint): void {
    if (this.highestSeen !== undefined && offset <= this.highestSeen) {
      // A redelivery after a seek or rebalance: the earlier entry (if still pending) covers it.
      return;
    }
    this.highestSeen = offset;
    this.pending.set(offset, true);
  }

  markSafe(offset: bigint): void {
    this.pending.delete(offset);
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** The offset to commit now (next offset to read), or undefined when nothing was read. */
  commitPosition(): bigint | undefined {
    // Map iteration follows insertion order, which is offset order here: the first key is the lowest.
    for (const offset of this.pending.keys()) return offset;
    return this.highestSeen === undefined ? undefined : this.highestSeen + 1n;
  }

  /** The position to commit if it moved since the last commit. */
  uncommittedPosition(): bigint | undefined {
    const position = this.commitPosition();
    if (position === undefined || position === this.lastCommitted) return undefined;
    return position;
  }

  markCommitted(position: bigint): void {
    if (this.lastCommitted === undefined || position > this.lastCommitted) this.lastCommitted = position;
  }

  get committed(): bigint | undefined {
    return this.lastCommitted;
  }
}

export interface CommitEntry {
  topic: string;
  partition: number;
  offset: string;
}

/** PartitionOffsets for every partition this worker owns now. */
export class OffsetTracker {
  private readonly partitions = new Map<string, PartitionOffsets>();

  private static key(topic: string, partition: number): string {
    return `${topic}/${partition}`;
  }

  /**
   * The bookkeeping of a partition, created on first use. Callers keep the returned object:
   * after a revoke and re-assign, a stale object no longer affects the new bookkeeping.
   */
  partition(topic: string, partition: number): PartitionOffsets {
    const key = OffsetTracker.key(topic, partition);
    let state = this.partitions.get(key);
    if (!state) {
      state = new PartitionOffsets(topic, partition);
      this.partitions.set(key, state);
    }
    return state;
  }

  /** Forget partitions this worker no longer owns (after committing what was safe). */
  drop(topic: string, partition: number): void {
    this.partitions.delete(OffsetTracker.key(topic, partition));
  }

  owned(): PartitionOffsets[] {
    return [...this.partitions.values()];
  }

  get inFlight(): number {
    let total = 0;
    for (const p of this.partitions.values()) total += p.inFlight;
    return total;
  }

  /** Positions that moved since they were last committed, for the given partitions or all. */
  pendingCommits(only?: (p: PartitionOffsets) => boolean): CommitEntry[] {
    const entries: CommitEntry[] = [];
    for (const p of this.partitions.values()) {
      if (only && !only(p)) continue;
      const position = p.uncommittedPosition();
      if (position !== undefined)
        entries.push({ topic: p.topic, partition: p.partition, offset: position.toString() });
    }
    return entries;
  }

  markCommitted(entries: CommitEntry[]): void {
    for (const e of entries)
      this.partitions.get(OffsetTracker.key(e.topic, e.partition))?.markCommitted(BigInt(e.offset));
  }
}
