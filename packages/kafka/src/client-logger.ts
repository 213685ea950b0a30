import type { Logger } from "pino";

/**
 * The logger to hand to createKafka from a CLI: the client's connect/disconnect chatter is
 * noise at info, so below debug only its warnings and errors get through.
 */
export function quietClientLogger(log: Logger): Logger {
  return log.isLevelEnabled("debug") ? log : log.child({}, { level: "warn" });
}
