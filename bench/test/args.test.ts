import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "../src/harness/args.ts";

const options = {
  count: { type: "string", default: "5000" },
  full: { type: "boolean", default: false },
} as const;

describe("parseBenchArgs", () => {
  it("gives the defaults, the values given, and drops the -- pnpm passes on", () => {
    expect(parseBenchArgs([], options)).toEqual({
      kind: "values",
      values: { count: "5000", full: false, help: false },
    });
    expect(parseBenchArgs(["--", "--count", "20", "--full"], options)).toEqual({
      kind: "values",
      values: { count: "20", full: true, help: false },
    });
  });

  it("answers --help, whatever else is given", () => {
    expect(parseBenchArgs(["--count", "3", "--help"], options)).toEqual({ kind: "help" });
  });

  it("names an unknown flag, a missing value and a stray argument", () => {
    expect(parseBenchArgs(["--cuont", "3"], options)).toMatchObject({
      kind: "bad",
      message: expect.stringContaining("--cuont"),
    });
    expect(parseBenchArgs(["--count"], options)).toMatchObject({
      kind: "bad",
      message: expect.stringContaining("--count"),
    });
    expect(parseBenchArgs(["extra"], options)).toMatchObject({
      kind: "bad",
      message: expect.stringContaining("extra"),
    });
  });
});
