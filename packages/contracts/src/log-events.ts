/**
 * Log event names (the `event` field of a log line) that tests, dashboards and alerts read.
 * Renaming one breaks whoever watches for it, so they are defined once, here.
 */
export const LOG_EVENTS = {
  /** The Resonate server answered a request with an error the worker cannot use (say, HTTP 400). */
  resonateRefused: "resonate_refused",
  /** The Resonate server could not be reached (connection refused, timeout). */
  resonateUnreachable: "resonate_unreachable",
  /** Every request kind that was failing succeeds again. */
  resonateRecovered: "resonate_recovered",
  /** The broker refused a completion or dead letter for good (or it failed past the give-up bound). */
  publishRefused: "publish_refused",
  /** Not even the minimal dead letter could be published: the worker stops (exit code 1). */
  deadLetterUndeliverable: "dead_letter_undeliverable",
  /** Two heartbeats of a held task came more than 3/4 of the task TTL apart: the task is at risk. */
  heartbeatLate: "heartbeat_late",
  /** The configured task TTL leaves a heartbeat less time than the rule in the README asks for. */
  ttlBelowRule: "ttl_below_heartbeat_rule",
  /** A record's promise id holds a promise this project did not create; the request is dead-lettered. */
  foreignPromise: "foreign_promise",
  /** The re-drive command re-published one dead letter as a fresh request. */
  redriveRepublished: "redrive_republished",
  /** The re-drive command left one dead letter alone, with why. */
  redriveSkipped: "redrive_skipped",
  /** The re-drive command's closing line: what it read, re-published and skipped. */
  redriveSummary: "redrive_summary",
} as const;

export type LogEventName = (typeof LOG_EVENTS)[keyof typeof LOG_EVENTS];
