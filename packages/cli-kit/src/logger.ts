import { type Logger, pino } from "pino";
import { redactSecrets } from "./redaction.js";

export type { Logger };

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Human-readable colourised lines instead of JSON (development). */
  pretty?: boolean;
  /** Where JSON lines go; default stdout. */
  destination?: NodeJS.WritableStream;
}

/**
 * Secrets never reach a log line, whatever object they travel in (see redaction.ts). A formatter
 * rather than pino's `redact` paths: wildcard paths for every secret name at four depths cost
 * more than the rest of a log line put together, on every line.
 */
const formatters = {
  log: (fields: Record<string, unknown>) => redactSecrets(fields, pino.stdSerializers.err),
  bindings: (bindings: pino.Bindings) => redactSecrets(bindings, pino.stdSerializers.err),
};

/** JSON lines by default (for machines and for the demo's live view), pretty when asked. */
export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? "info";
  if (options.pretty) {
    return pino({
      name: options.name,
      level,
      formatters,
      transport: { target: "pino-pretty", options: { colorize: true, translateTime: "HH:MM:ss.l" } },
    });
  }
  return pino(
    { name: options.name, level, formatters, timestamp: pino.stdTimeFunctions.isoTime },
    options.destination ?? process.stdout,
  );
}
