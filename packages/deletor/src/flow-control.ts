/** The two bounds on work one worker takes on. */
export interface FlowBounds {
  /** Records read but not yet safe to commit. */
  maxInFlight: number;
  /**
   * Workflows this worker started (or attached to) and has not seen finish. With a Resonate
   * server a record is safe as soon as its promise exists, so only this bounds running work.
   */
  maxRunning: number;
}

export interface Load {
  inFlight: number;
  running: number;
}

export type FlowChange = { kind: "close"; bound: "in-flight" | "running" } | { kind: "open" };

/**
 * When to stop taking new records and when to take them again. Closes as soon as either bound is
 * reached; opens once the load that closed it is down to half its bound and the other is below
 * its own, so a worker near a bound does not stop and start on every record that finishes. The
 * other load need not be at half: after a burst of records read faster than their promises were
 * made (in flight at its bound), running workflows above half their bound are no reason to hold
 * the partitions; if running then reaches its bound, that closes it, with the same hysteresis.
 */
export class FlowControl {
  private closedBy: "in-flight" | "running" | undefined;

  constructor(readonly bounds: FlowBounds) {
    for (const [name, value] of Object.entries(bounds)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be ≥ 1, got ${value}`);
    }
  }

  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  /** The change the load calls for, if any. Call after every change of the load. */
  update(load: Load): FlowChange | undefined {
    const { maxInFlight, maxRunning } = this.bounds;
    if (this.closedBy === undefined) {
      const bound =
        load.inFlight >= maxInFlight ? "in-flight" : load.running >= maxRunning ? "running" : undefined;
      if (bound === undefined) return undefined;
      this.closedBy = bound;
      return { kind: "close", bound };
    }
    const belowBoth = load.inFlight < maxInFlight && load.running < maxRunning;
    const closer = this.closedBy === "in-flight" ? load.inFlight / maxInFlight : load.running / maxRunning;
    if (belowBoth && closer <= 1 / 2) {
      this.closedBy = undefined;
      return { kind: "open" };
    }
    return undefined;
  }
}
