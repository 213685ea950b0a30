import { type CliSpec, type OptionSpecs, parseOptions } from "@deletion/cli-kit";

/** Variables the runtime itself reads; setting them for an app is not a typo. */
const RUNTIME_ENV = new Set(["NODE_ENV", "NODE_OPTIONS", "TZ", "UV_THREADPOOL_SIZE"]);

const isCliSpec = (value: unknown): value is CliSpec<OptionSpecs> =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { name?: unknown }).name === "string" &&
  typeof (value as { options?: unknown }).options === "object";

/** The CLI specs a config module exports (e.g. `workerCli`). */
export const cliSpecsIn = (module: Record<string, unknown>): CliSpec<OptionSpecs>[] =>
  Object.values(module).filter(isCliSpec);

export const envNamesOf = (spec: CliSpec<OptionSpecs>): Set<string> =>
  new Set(
    Object.values(spec.options)
      .map((o) => o.env)
      .filter((e): e is string => e !== undefined),
  );

/**
 * What is wrong with an environment given to an app: variables the app does not read (typos,
 * leftovers) and values its options reject. Options the environment does not set are not judged.
 */
export function envProblems(spec: CliSpec<OptionSpecs>, env: Record<string, string>): string[] {
  const problems: string[] = [];
  const known = envNamesOf(spec);
  for (const key of Object.keys(env)) {
    if (!known.has(key) && !RUNTIME_ENV.has(key)) problems.push(`${key} is not read by ${spec.name}`);
  }
  for (const [key, option] of Object.entries(spec.options)) {
    if (option.env === undefined || env[option.env] === undefined) continue;
    // One option alone: the checks that judge options together do not apply.
    const single = { ...spec, options: { [key]: option }, checks: [] };
    const result = parseOptions(single, [], { [option.env]: env[option.env] });
    if (result.kind === "error") problems.push(result.message);
  }
  return problems;
}
