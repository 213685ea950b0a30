import { parseArgs } from "node:util";
import { z } from "zod";

/** One setting of a CLI: where it comes from (flag, env var), how it is validated, what it means. */
export interface OptionSpec<S extends z.ZodType = z.ZodType> {
  /** Long flag without dashes, e.g. "brokers" for --brokers. */
  flag: string;
  short?: string;
  /** Environment variable read when the flag is absent. */
  env?: string;
  /** "boolean" options are switches (--verbose); everything else takes a value. */
  kind?: "string" | "boolean";
  description: string;
  /** Validates (and coerces) the raw text; defaults belong here (`.default(...)`). */
  schema: S;
  /** A password or token: its value is never shown, neither in --help nor in an error message. */
  secret?: boolean;
}

export type OptionSpecs = Record<string, OptionSpec>;

export type ConfigOf<O extends OptionSpecs> = { [K in keyof O]: z.output<O[K]["schema"]> };

/**
 * A rule across options (say, two ways to give one secret, of which only one may be used), run once
 * every option is valid on its own. Each problem it returns names the flags and variables it is
 * about. A method, so that a check written for a few options fits any spec that has them.
 */
export interface ConfigCheck<C> {
  problems(config: C): readonly string[];
}

export interface CliSpec<O extends OptionSpecs> {
  name: string;
  summary: string;
  options: O;
  // NoInfer: the options alone say what O is; a check for a few of them must not narrow it.
  checks?: readonly ConfigCheck<NoInfer<ConfigOf<O>>>[];
  /** Extra text after the option list: examples, notes. */
  epilog?: string;
}

export type ParseResult<C> =
  | { kind: "ok"; config: C }
  | { kind: "help"; text: string }
  | { kind: "error"; message: string };

export const option = <S extends z.ZodType>(spec: OptionSpec<S>): OptionSpec<S> => spec;

/** How a problem names an option: "--flag / ENV", the way a person would set it. */
export const optionName = (o: OptionSpec): string => `--${o.flag}${o.env ? ` / ${o.env}` : ""}`;

/**
 * Flags win over environment variables, which win over defaults. Every problem is reported
 * naming the flag and variable it came from, so a person can fix it without reading code.
 */
export function parseOptions<O extends OptionSpecs>(
  spec: CliSpec<O>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseResult<ConfigOf<O>> {
  const parseOpts: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const o of Object.values(spec.options)) {
    parseOpts[o.flag] = { type: o.kind ?? "string", ...(o.short ? { short: o.short } : {}) };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args: [...argv], options: parseOpts, strict: true, allowPositionals: false });
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { kind: "help", text: usage(spec) };

  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(spec.options)) {
    const fromFlag = values[o.flag];
    const fromEnv = o.env !== undefined ? env[o.env] : undefined;
    const raw = fromFlag !== undefined ? fromFlag : fromEnv === "" ? undefined : fromEnv;
    const input = o.kind === "boolean" && typeof raw === "string" ? parseBooleanText(raw) : raw;
    const result = o.schema.safeParse(input);
    if (result.success) {
      config[key] = result.data;
    } else {
      const source = fromFlag !== undefined ? `--${o.flag}` : fromEnv ? `${o.env}` : `--${o.flag}`;
      const shown = raw === undefined ? "(not set)" : o.secret ? "(set; not shown)" : JSON.stringify(raw);
      const reason = result.error.issues.map((i) => i.message).join("; ");
      problems.push(`${source}${o.env && source !== o.env ? ` / ${o.env}` : ""} = ${shown}: ${reason}`);
    }
  }
  if (problems.length > 0) return { kind: "error", message: problems.join("\n") };
  const checked = (spec.checks ?? []).flatMap((check) => check.problems(config as ConfigOf<O>));
  if (checked.length > 0) return { kind: "error", message: checked.join("\n") };
  return { kind: "ok", config: config as ConfigOf<O> };
}

function parseBooleanText(text: string): boolean | string {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  return text;
}

export function usage<O extends OptionSpecs>(spec: CliSpec<O>): string {
  const rows = Object.values(spec.options).map((o) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${o.flag}${o.kind === "boolean" ? "" : " <value>"}`;
    const fallback = o.secret ? " (secret: never shown)" : describeDefault(o.schema);
    const env = o.env ? ` [env ${o.env}]` : "";
    return { flag, text: `${o.description}${env}${fallback}` };
  });
  rows.push({ flag: "-h, --help", text: "show this help and exit" });
  const width = Math.max(...rows.map((r) => r.flag.length)) + 2;
  const lines = rows.map((r) => `  ${r.flag.padEnd(width)}${r.text}`);
  return [`Usage: ${spec.name} [options]`, "", spec.summary, "", "Options:", ...lines, "", spec.epilog ?? ""]
    .join("\n")
    .trimEnd();
}

function describeDefault(schema: z.ZodType): string {
  if (schema instanceof z.ZodDefault) {
    const value = schema.def.defaultValue;
    return value === "" || value === undefined ? "" : ` (default: ${String(value)})`;
  }
  return "";
}
