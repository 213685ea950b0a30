import { type ParseArgsConfig, parseArgs } from "node:util";

type BenchOptions = NonNullable<ParseArgsConfig["options"]>;
type BenchValues = Record<string, string | boolean | undefined>;

export type BenchArgs =
  | { kind: "values"; values: BenchValues }
  | { kind: "help" }
  | { kind: "bad"; message: string };

/**
 * A benchmark's flags, read strictly: an unknown flag or a missing value is a message (naming the
 * flag), not a stack trace, and --help is always there. pnpm passes the "--" of
 * `pnpm bench -- --count N` through; it is not an argument.
 */
export function parseBenchArgs(argv: readonly string[], options: BenchOptions): BenchArgs {
  try {
    const { values } = parseArgs({
      args: argv.filter((arg) => arg !== "--"),
      options: { ...options, help: { type: "boolean", default: false } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return { kind: "help" };
    return { kind: "values", values: values as BenchValues };
  } catch (error) {
    return { kind: "bad", message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * parseBenchArgs on this process's arguments: prints `usage` and exits 0 for --help, exits 2
 * with the message and `usage` for a bad flag, else returns the values.
 */
export function benchArgs(name: string, usage: string, options: BenchOptions): BenchValues {
  const parsed = parseBenchArgs(process.argv.slice(2), options);
  if (parsed.kind === "help") {
    console.log(usage);
    process.exit(0);
  }
  if (parsed.kind === "bad") {
    console.error(`${name}: ${parsed.message}\n\n${usage}`);
    process.exit(2);
  }
  return parsed.values;
}
