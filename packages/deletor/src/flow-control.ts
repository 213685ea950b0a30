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
 * reached; opens once both loads are down to half their bound, so a worker near a bound does not
 * stop and start on every record that finishes.
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
    if (load.inFlight <= maxInFlight / 2 && load.running <= maxRunning / 2) {
      this.closedBy = undefined;
      return { kind: "open" };
    }
    return undefined;
  }
}
