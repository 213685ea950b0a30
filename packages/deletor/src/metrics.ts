import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The worker's Prometheus metrics, in a registry of their own (one per worker instance). */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly consumed = new Counter({
    name: "deletor_messages_consumed_total",
    help: "Messages read from the request topic",
    registers: [this.registry],
  });
  readonly dispatched = new Counter({
    name: "deletor_messages_dispatched_total",
    help: "Requests whose durable workflow was started or attached to",
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: "deletor_messages_dead_lettered_total",
    help: "Messages sent to the dead-letter topic, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly publishRefused = new Counter({
    name: "deletor_publish_refused_total",
    help: "Publishes refused for good (or failing past the give-up bound), by destination topic and client error",
    labelNames: ["topic", "reason"] as const,
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: "deletor_duplicates_total",
    help: "Requests for a record id that already had a workflow (running or finished)",
    registers: [this.registry],
  });
  readonly completed = new Counter({
    name: "deletor_workflows_completed_total",
    help: "Workflows started or attached to by this worker that finished, by status",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: "deletor_in_flight",
    help: "Records read but not yet safe to commit",
    registers: [this.registry],
  });
  readonly running = new Gauge({
    name: "deletor_running_workflows",
    help: "Workflows this worker started or attached to and has not seen finish",
    registers: [this.registry],
  });
  readonly heldPartitions = new Gauge({
    name: "deletor_held_partitions",
    help: "Partitions paused because a bound (in flight or running) was reached",
    registers: [this.registry],
  });
  readonly commitFailures = new Counter({
    name: "deletor_commit_failures_total",
    help: "Offset commits that failed or were not answered in time (retried on the next tick), by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly dispatchLatency = new Histogram({
    name: "deletor_dispatch_latency_seconds",
    help: "Time from reading a request to its durable promise existing",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly committedOffset = new Gauge({
    name: "deletor_committed_offset",
    help: "Last committed offset (next to read) per partition",
    labelNames: ["topic", "partition"] as const,
    registers: [this.registry],
  });
  readonly committedLag = new Gauge({
    name: "deletor_committed_offset_lag",
    help: "High watermark minus committed offset, per owned partition",
    labelNames: ["topic", "partition"] as const,
    registers: [this.registry],
  });

  readonly heartbeatGapMax = new Gauge({
    name: "deletor_resonate_heartbeat_gap_max_seconds",
    help: "Widest gap between two acknowledged heartbeats of one held task; at the task TTL another worker may take it",
    registers: [this.registry],
  });

  /** Read at each scrape from what watchBrokerOutages was given. */
  private outages: { outages: number; folded: number; down: boolean } | undefined;
  readonly brokerOutages: Gauge = new Gauge({
    name: "deletor_broker_outages",
    help: "Outages of the Kafka brokers since start (each logged as one brokers_unreachable line)",
    registers: [this.registry],
    collect: (): void => this.brokerOutages.set(this.outages?.outages ?? 0),
  });
  readonly brokerErrorsFolded: Gauge = new Gauge({
    name: "deletor_broker_errors_folded",
    help: "Kafka client errors folded into an outage's lines since start (logged at debug)",
    registers: [this.registry],
    collect: (): void => this.brokerErrorsFolded.set(this.outages?.folded ?? 0),
  });
  readonly brokersDown: Gauge = new Gauge({
    name: "deletor_brokers_down",
    help: "1 while the Kafka brokers cannot be reached",
    registers: [this.registry],
    collect: (): void => this.brokersDown.set(this.outages?.down ? 1 : 0),
  });

  /** Exports an outage tracker's counts (the Kafka client's BrokerOutage). */
  watchBrokerOutages(outages: { outages: number; folded: number; down: boolean }): void {
    this.outages = outages;
  }

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
