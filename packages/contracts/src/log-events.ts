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
  /** Two heartbeats of a held task came more than 3/4 of the task TTL apart: the task is at risk. */
  heartbeatLate: "heartbeat_late",
  /** The configured task TTL leaves a heartbeat less time than the rule in the README asks for. */
  ttlBelowRule: "ttl_below_heartbeat_rule",
} as const;

export type LogEventName = (typeof LOG_EVENTS)[keyof typeof LOG_EVENTS];
