import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type CliSpec, option, parseOptions, splitPositionals } from "../src/index.js";

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

describe("secret options and checks across options", () => {
  const secretSpec = {
    name: "tool",
    summary: "holds a secret",
    options: {
      token: option({
        flag: "token",
        env: "TOKEN",
        description: "bearer token",
        secret: true,
        schema: z.string().min(12).default("default-secret-value"),
      }),
      user: option({ flag: "user", env: "USER_NAME", description: "who", schema: z.string().optional() }),
    },
    checks: [
      {
        problems: (config: { token: string; user?: string | undefined }) =>
          config.user === undefined ? ["--user / USER_NAME is required with a token"] : [],
      },
    ],
  } satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

  it("names a secret that is wrong without showing it", () => {
    const result = parseOptions(secretSpec, [], { TOKEN: "hunter2", USER_NAME: "me" });
    expect(result).toMatchObject({ kind: "error" });
    if (result.kind !== "error") return;
    expect(result.message).toMatch(/^TOKEN = \(set; not shown\): /);
    expect(result.message).not.toContain("hunter2");
  });

  it("shows no default or value of a secret in --help", () => {
    const result = parseOptions(secretSpec, ["--help"], { TOKEN: "hunter2-but-long" });
    expect(result.kind).toBe("help");
    if (result.kind !== "help") return;
    expect(result.text).toMatch(/--token <value> +bearer token \[env TOKEN\] \(secret: never shown\)/);
    expect(result.text).not.toContain("default-secret-value");
    expect(result.text).not.toContain("hunter2");
  });

  it("runs the checks once every option is valid, and reports what they find", () => {
    expect(parseOptions(secretSpec, [], {})).toEqual({
      kind: "error",
      message: "--user / USER_NAME is required with a token",
    });
    expect(parseOptions(secretSpec, ["--user", "me"], {})).toMatchObject({ kind: "ok" });
    // A bad option is reported alone: the checks would only repeat it in other words.
    const bad = parseOptions(secretSpec, [], { TOKEN: "short" });
    expect(bad.kind === "error" && bad.message).toMatch(/^TOKEN = \(set; not shown\): [^\n]*$/);
  });
});

describe("splitPositionals", () => {
  const options = {
    tables: option({ flag: "tables", description: "t", schema: z.string() }),
    json: option({ flag: "json", kind: "boolean", description: "j", schema: z.boolean().default(false) }),
  };

  it("keeps a flag's value with the flag and takes the positionals out in order", () => {
    expect(splitPositionals(["--tables", "x:id", "r1", "--json", "r2"], options)).toEqual({
      positionals: ["r1", "r2"],
      rest: ["--tables", "x:id", "--json"],
    });
    expect(splitPositionals(["-h"], options)).toEqual({ positionals: [], rest: ["-h"] });
  });
});
