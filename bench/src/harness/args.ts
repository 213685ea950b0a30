import { parseArgs } from "node:util";
import { DEFAULT_RESULTS_DIR } from "./results.ts";

/** One flag: a string (with or without a default) or a boolean. */
export type FlagSpec =
  | { type: "string"; default?: string; multiple?: false }
  | { type: "boolean"; default?: boolean; multiple?: false };
export type FlagSpecs = Record<string, FlagSpec>;

/** The values parseArgs gives for `O`: a string flag with a default is always a string. */
export type FlagValues<O extends FlagSpecs> = {
  [K in keyof O]: O[K] extends { type: "boolean" }
    ? O[K] extends { default: boolean }
      ? boolean
      : boolean | undefined
    : O[K] extends { default: string }
      ? string
      : string | undefined;
};

export type ParsedArgs<O extends FlagSpecs> =
  | { kind: "values"; values: FlagValues<O> }
  | { kind: "help" }
  | { kind: "bad"; message: string };

/**
 * A benchmark's flags, read strictly: an unknown flag or a missing value is a message (naming the
 * flag), not a stack trace, and --help is always there. pnpm passes the "--" of
 * `pnpm bench <name> -- --count N` through; it is not an argument.
 */
export function parseBenchArgs<O extends FlagSpecs>(argv: readonly string[], options: O): ParsedArgs<O> {
  try {
    const { values } = parseArgs({
      args: argv.filter((arg) => arg !== "--"),
      options: { ...options, help: { type: "boolean", default: false } },
      strict: true,
      allowPositionals: false,
    });
    const read = values as unknown as FlagValues<O> & { help: boolean };
    if (read.help) return { kind: "help" };
    return { kind: "values", values: read };
  } catch (error) {
    return { kind: "bad", message: error instanceof Error ? error.message : String(error) };
  }
}

/** What a benchmark's command line gives it: the values, and checks that exit 2 with the usage. */
export interface BenchCli<O extends FlagSpecs> {
  values: FlagValues<O>;
  /** Prints `<name>: <message>` and the usage to stderr, exits 2. */
  fail(message: string): never;
  /** The flag's value as a positive integer (or at least `min`), else fail. */
  integer(flag: keyof O & string, min?: number): number;
  /** A comma-separated list of positive integers (or at least `min`), else fail. */
  integers(flag: keyof O & string, min?: number): number[];
  /** A comma-separated list whose every entry is one of `allowed`, else fail. */
  oneOf<T extends string>(flag: keyof O & string, allowed: readonly T[]): T[];
  /** Where results go: --results-dir when the benchmark has it, else bench/results/. */
  resultsDir: URL;
}

/** The flag every benchmark that writes results takes (bench/results/ is the committed copy). */
export const RESULTS_DIR_FLAG = {
  "results-dir": { type: "string" },
} as const satisfies FlagSpecs;
export const RESULTS_DIR_USAGE = `  --results-dir D   write (and --render/--update read) the result files in D instead of
                    bench/results/ (the committed results): for trial runs`;

/**
 * Reads this process's arguments: prints `usage` and exits 0 for --help, exits 2 with the message
 * (naming the flag) and `usage` for a bad flag, else returns the values and the checks.
 */
export function benchCli<O extends FlagSpecs>(name: string, usage: string, options: O): BenchCli<O> {
  const parsed = parseBenchArgs(process.argv.slice(2), options);
  if (parsed.kind === "help") {
    console.log(usage);
    process.exit(0);
  }
  const fail = (message: string): never => {
    console.error(`${name}: ${message}\n\n${usage}`);
    process.exit(2);
  };
  if (parsed.kind === "bad") return fail(parsed.message);
  const values = parsed.values;
  const raw = (flag: string): string => String((values as Record<string, unknown>)[flag] ?? "");
  const isInt = (n: number, min: number) => Number.isInteger(n) && n >= min;
  const dir = (values as Record<string, unknown>)["results-dir"];
  return {
    values,
    fail,
    integer(flag, min = 1) {
      const n = Number(raw(flag));
      if (raw(flag) === "" || !isInt(n, min))
        fail(`--${flag} must be an integer of at least ${min}, got ${JSON.stringify(raw(flag))}`);
      return n;
    },
    integers(flag, min = 1) {
      const list = raw(flag)
        .split(",")
        .map((s) => s.trim());
      const ns = list.map(Number);
      if (list.some((s) => s === "") || !ns.every((n) => isInt(n, min)))
        fail(`--${flag} must list integers of at least ${min}, got ${JSON.stringify(raw(flag))}`);
      return ns;
    },
    oneOf<T extends string>(flag: keyof O & string, allowed: readonly T[]): T[] {
      const list = raw(flag)
        .split(",")
        .map((s) => s.trim());
      if (!list.every((s): s is T => (allowed as readonly string[]).includes(s)))
        fail(`--${flag} must list ${allowed.join(", ")}; got ${JSON.stringify(raw(flag))}`);
      return list as T[];
    },
    resultsDir:
      typeof dir === "string" && dir !== ""
        ? new URL(`${new URL(dir, `file://${process.cwd()}/`).href.replace(/\/?$/, "/")}`)
        : DEFAULT_RESULTS_DIR,
  };
}
