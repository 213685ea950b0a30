import { type Logger, pino } from "pino";
import { REDACTED, redactionPaths } from "./redaction.js";

export type { Logger };

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Human-readable colourised lines instead of JSON (development). */
  pretty?: boolean;
  /** Where JSON lines go; default stdout. */
  destination?: NodeJS.WritableStream;
}

/** Secrets never reach a log line, whatever object they travel in (see redaction.ts). */
const redact = { paths: redactionPaths(), censor: REDACTED };

/** JSON lines by default (for machines and for the demo's live view), pretty when asked. */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? "info";
  if (options.pretty) {
    return pino({
      name: options.name,
      level,
      redact,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l" } },
    });
  }
  return pino(
    { name: options.name, level, redact, timestamp: pino.stdTimeFunctions.isoTime },
    options.destination ?? process.stdout,
  );
}
