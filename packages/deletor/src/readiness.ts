export interface Readiness {
  ready: boolean;
  consumerConnected: boolean;
  groupJoined: boolean;
  assignedPartitions: number;
  /** A bound was reached: partitions are held until the load drops (the worker is still working). */
  atBound: boolean;
  stopping: boolean;
}

export interface ConsumerState {
  connected: boolean;
  groupJoined: boolean;
  assignedPartitions: number;
  atBound: boolean;
  stopping: boolean;
}

/**
 * Ready means able to take work: connected, in the group, not stopping. A worker at a bound is
 * still ready: it is busy, and taking it out of service would not make it less so.
 */
export function readinessOf(state: ConsumerState): Readiness {
  return {
    ready: state.connected && state.groupJoined && !state.stopping,
    consumerConnected: state.connected,
    groupJoined: state.groupJoined,
    assignedPartitions: state.connected ? state.assignedPartitions : 0,
    atBound: state.atBound,
    stopping: state.stopping,
  };
}
