import { parseArgs } from "node:util";
import type { OptionSpecs } from "./options.js";

/**
 * Splits a command line into its positional arguments and the rest (the options, for
 * parseOptions). The CLI's own options are declared so a flag keeps its value: in
 * "--tables x:id r1", r1 is the positional, x:id is not.
 */
export function splitPositionals(
  argv: readonly string[],
  options: OptionSpecs,
): { positionals: string[]; rest: string[] } {
  const declared: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const o of Object.values(options)) declared[o.flag] = { type: o.kind ?? "string" };
  const { tokens } = parseArgs({
    args: [...argv],
    options: declared,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positional = tokens.flatMap((t) => (t.kind === "positional" ? [t] : []));
  const at = new Set(positional.map((t) => t.index));
  return { positionals: positional.map((t) => t.value), rest: argv.filter((_, i) => !at.has(i)) };
}
