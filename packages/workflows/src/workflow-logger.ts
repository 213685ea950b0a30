/** The slice of a structured logger (pino's shape) that workflow steps write to. */
export interface WorkflowLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: WorkflowLogger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};
