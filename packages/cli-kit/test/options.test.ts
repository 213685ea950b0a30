import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type CliSpec, option, parseOptions } from "../src/index.js";

const spec = {
  name: "tool",
  summary: "does a thing",
  options: {
    brokers: option({
      flag: "brokers",
      env: "KAFKA_BROKERS",
      description: "bootstrap servers",
      schema: z.string().min(1).default("localhost:19092"),
    }),
    count: option({
      flag: "count",
      short: "n",
      env: "COUNT",
      description: "how many",
      schema: z.coerce.number().int().positive().default(25),
    }),
    verbose: option({
      flag: "verbose",
      short: "v",
      kind: "boolean",
      description: "talk",
      schema: z.boolean().default(false),
    }),
  },
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

describe("parseOptions", () => {
  it("uses defaults when nothing is given", () => {
    expect(parseOptions(spec, [], {})).toEqual({
      kind: "ok",
      config: { brokers: "localhost:19092", count: 25, verbose: false },
    });
  });

  it("flags win over env, env over defaults", () => {
    const result = parseOptions(spec, ["-n", "7"], { COUNT: "9", KAFKA_BROKERS: "k:1" });
    expect(result).toEqual({ kind: "ok", config: { brokers: "k:1", count: 7, verbose: false } });
  });

  it("names the env var that is wrong", () => {
    const result = parseOptions(spec, [], { COUNT: "lots" });
    expect(result.kind).toBe("error");
    if (result.kind === "error") expect(result.message).toMatch(/^COUNT = "lots": /);
  });

  it("names the flag that is wrong", () => {
    const result = parseOptions(spec, ["--count", "0"], {});
    expect(result.kind).toBe("error");
    if (result.kind === "error") expect(result.message).toMatch(/^--count \/ COUNT = "0": .*>0/);
  });

  it("rejects unknown flags", () => {
    const result = parseOptions(spec, ["--nope"], {});
    expect(result.kind).toBe("error");
    if (result.kind === "error") expect(result.message).toMatch(/--nope/);
  });

  it("prints help listing every flag, env var and default", () => {
    const result = parseOptions(spec, ["--help"], {});
    expect(result.kind).toBe("help");
    if (result.kind !== "help") return;
    for (const text of [
      "--brokers",
      "KAFKA_BROKERS",
      "default: localhost:19092",
      "-n, --count",
      "-v, --verbose",
      "-h, --help",
    ]) {
      expect(result.text).toContain(text);
    }
  });

  it("treats an empty env var as unset", () => {
    expect(parseOptions(spec, [], { KAFKA_BROKERS: "" })).toMatchObject({
      config: { brokers: "localhost:19092" },
    });
  });
});
