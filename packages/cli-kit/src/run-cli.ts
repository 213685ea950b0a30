import { type CliSpec, type ConfigOf, type OptionSpecs, parseOptions } from "./options.js";

/** Exit code for bad usage: a bad flag or environment variable. */
export const EXIT_USAGE = 2;

/**
 * Parses the command line and environment, then runs main. --help prints usage and exits 0; bad
 * configuration prints what is wrong and exits 2; an unexpected error exits 1.
 */
export async function runCli<O extends OptionSpecs>(
  spec: CliSpec<O>,
  main: (config: ConfigOf<O>) => Promise<number | undefined>,
  argv: readonly string[] = process.argv.slice(2),
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const parsed = parseOptions(spec, argv, env);
  if (parsed.kind === "help") {
    process.stdout.write(`${parsed.text}\n`);
    process.exitCode = 0;
    return;
  }
  if (parsed.kind === "error") {
    process.stderr.write(
      `${spec.name}: invalid configuration\n${indent(parsed.message)}\nRun '${spec.name} --help' for usage.\n`,
    );
    process.exitCode = EXIT_USAGE;
    return;
  }
  try {
    process.exitCode = (await main(parsed.config)) ?? 0;
  } catch (error) {
    process.stderr.write(
      `${spec.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
