/** Variables to set for a child; `undefined` removes one the test process has. */
export type EnvOverrides = Record<string, string | undefined>;

/**
 * The test's environment (KAFKA_BROKERS from the global setup among it) with JSON logs forced,
 * so a developer's LOG_PRETTY=true cannot break the parsing, then the test's overrides.
 */
export function appEnv(overrides: EnvOverrides = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_PRETTY: "false", LOG_LEVEL: "info" };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
