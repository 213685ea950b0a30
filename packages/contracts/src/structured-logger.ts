/** The slice of a structured logger (pino's shape) that steps and start-up reports write to. */
export interface StructuredLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: StructuredLogger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};
