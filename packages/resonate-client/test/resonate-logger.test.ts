import { describe, expect, it } from "vitest";
import { resonateLogger } from "../src/resonate-logger.js";

describe("resonateLogger", () => {
  it("names the SDK's part under one component key, and the worker's own lines 'resonate'", () => {
    const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
    const at = (level: string) => (fields: Record<string, unknown>, msg: string) => {
      lines.push({ level, fields, msg });
    };
    const logger = resonateLogger({
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
    });
    logger.warn({ component: "runtime", func: "deleteRecord" }, "retrying");
    logger.error({ event: "resonate_unreachable" }, "down");
    expect(lines).toEqual([
      { level: "warn", fields: { func: "deleteRecord", component: "resonate.runtime" }, msg: "retrying" },
      { level: "error", fields: { event: "resonate_unreachable", component: "resonate" }, msg: "down" },
    ]);
  });
});
