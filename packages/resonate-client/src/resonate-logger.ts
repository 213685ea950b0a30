import type { Logger } from "@resonatehq/sdk";

/**
 * The SDK's log lines in the app's logger, under one `component`: the SDK names its own part
 * ("runtime", "core") in a `component` field, which next to a child logger's binding of the same
 * name wrote the key twice in one JSON line. Here it becomes "resonate.runtime", and lines of the
 * worker's own about the server (no component of their own) get "resonate".
 */
export function resonateLogger(logger: Logger): Logger {
  const at =
    (level: keyof Logger) =>
    (fields: Record<string, unknown>, msg: string): void => {
      const { component, ...rest } = fields ?? {};
      logger[level]({ ...rest, component: component ? `resonate.${String(component)}` : "resonate" }, msg);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
