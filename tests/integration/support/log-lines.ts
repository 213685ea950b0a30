/** One pino JSON line; the fields every line has, plus whatever the app logged. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export const LEVEL = { info: 30, warn: 40, error: 50, fatal: 60 } as const;

/** Parses a JSON log line; undefined for anything else (human lines, partial output). */
export function parseLogLine(line: string): LogLine | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === "object" && value !== null && "level" in value && "msg" in value) {
      return value as LogLine;
    }
  } catch {}
  return undefined;
}

/** Every JSON log line of a captured output, in order. */
export function logLines(output: string): LogLine[] {
  return output.split("\n").flatMap((line) => parseLogLine(line) ?? []);
}
