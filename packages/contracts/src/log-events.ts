/**
 * Log event names (the `event` field of a log line) that tests, dashboards and alerts read.
 * Renaming one breaks whoever watches for it, so they are defined once, here.
 */
export const LOG_EVENTS = {
  /** The Resonate server answered a request with an error the worker cannot use (say, HTTP 400). */
  resonateRefused: "resonate_refused",
  /** The Resonate server could not be reached (connection refused, timeout). */
  resonateUnreachable: "resonate_unreachable",
  brokersUnreachable: "brokers_unreachable",
  brokersReachable: "brokers_reachable",
  /** Every request kind that was failing succeeds again. */
  resonateRecovered: "resonate_recovered",
  /** Start-up: what the Resonate token allows (prefix, role, expiry); a warning when it cannot work. */
  resonateToken: "resonate_token",
  /** Start-up: how promise payloads are written (mode, key id) and which key ids can read them. */
  payloadEncryption: "payload_encryption",

  // One request's way through the worker (the demo's live board and the tests follow these).
  /** A request's workflow was started. */
  dispatched: "dispatched",
  /** A request for a record whose workflow already exists: attached to it, or only reported. */
  duplicate: "duplicate",
  /** Starting a workflow or publishing failed for now and is tried again. */
  retrying: "retrying",
  /** A message went to the dead-letter topic. */
  deadLettered: "dead_lettered",
  /** A workflow threw; the request is dead-lettered. */
  workflowCrashed: "workflow_crashed",
  /** A dispatch failed in a way no message should cause (a bug); the record stays uncommitted. */
  unexpectedError: "unexpected_error",
  /** One batch of a record's rows was deleted (rowsRemain: whether another batch follows). */
  batchDeleted: "batch_deleted",
  /** One batch failed; it is retried while the retry budget lasts. */
  batchFailed: "batch_failed",
  /** A record's deletion is done and its completion published. */
  completed: "completed",
  /** A record's deletion failed for good; the request is dead-lettered. */
  failed: "failed",

  // The worker's consumer and its life cycle.
  /** The worker's consume loop runs. */
  started: "started",
  /** The bulk-request consume loop runs (a separate consumer group on the bulk topic). */
  bulkConsumerStarted: "bulk_consumer_started",
  /** Partitions were assigned to this worker. */
  assigned: "assigned",
  /** Partitions were taken from this worker (after committing what was safe on them). */
  revoked: "revoked",
  /** A bound (in flight or running) was reached: partitions are held, polling goes on. */
  paused: "paused",
  /** Below half of both bounds again: held partitions are read again where they stopped. */
  resumed: "resumed",
  /** Safe offsets were committed (debug level). */
  committed: "committed",
  /** The broker refused an offset commit; the next tick tries again. */
  commitFailed: "commit_failed",
  /** An offset commit was not answered within the commit timeout; the next tick tries again. */
  commitTimedOut: "commit_timed_out",
  /** Several workers share the group without a Resonate server: records can be deleted twice. */
  sharedGroupWithoutServer: "shared_group_without_server",
  /** The worker runs with the in-process network (no RESONATE_URL). */
  inProcessResonate: "in_process_resonate",
  /** The HTTP server listens (its port is in the line). */
  http: "http",
  /** Connecting to the broker or starting the consumer failed: the worker exits 1. */
  startFailed: "start_failed",
  /** The broker refused a consumer for good (ACL or credentials): the app stops with exit 1. */
  consumerRefused: "consumer_refused",
  /** A shutdown step (the signal, its progress, its timeout). */
  shutdown: "shutdown",
  /** Shutdown: the consumer stopped; records in flight (not safe) are redelivered. */
  stopping: "stopping",
  /** A workflow wanted to publish after shutdown had closed publishing: left to whoever resumes it. */
  publishHeld: "publish_held",
  /** The worker stopped; the process exits. */
  stopped: "stopped",
  /** The broker refused a completion or dead letter for good (or it failed past the give-up bound). */
  publishRefused: "publish_refused",
  /** Not even the minimal dead letter could be published: the worker stops (exit code 1). */
  deadLetterUndeliverable: "dead_letter_undeliverable",
  /** Two heartbeats of a held task came more than 3/4 of the task TTL apart: the task is at risk. */
  heartbeatLate: "heartbeat_late",
  /** The configured task TTL leaves a heartbeat less time than the rule in docs/architecture.md asks for. */
  ttlBelowRule: "ttl_below_heartbeat_rule",
  /** A record's promise id holds a promise this project did not create; the request is dead-lettered. */
  foreignPromise: "foreign_promise",
  /** The re-drive command re-published one dead letter as a fresh request. */
  redriveRepublished: "redrive_republished",
  /** The re-drive command left one dead letter alone, with why. */
  redriveSkipped: "redrive_skipped",
  /** The re-drive command's closing line: what it read, re-published and skipped. */
  redriveSummary: "redrive_summary",
  /** The workflow's first step flagged the record deleted in the store (rowsMarked 0: already gone). */
  softDeleted: "soft_deleted",
  /** The soft delete failed (retried like a batch when transient). */
  softDeleteFailed: "soft_delete_failed",
  /** The worker checked the configured tables against the database's catalogue at start-up. */
  storeTablesChecked: "store_tables_checked",
  /** An idle connection of the store's pool failed (server restart, network); the pool replaces it. */
  databaseConnectionLost: "database_connection_lost",
  /** A configured table or column is not in the database: the worker exits 2 naming it. */
  storeTablesInvalid: "store_tables_invalid",
  /** The status endpoint or command could not reach the Resonate server. */
  statusServerUnreachable: "status_server_unreachable",
} as const;

export type LogEventName = (typeof LOG_EVENTS)[keyof typeof LOG_EVENTS];
