/**
 * Field names that hold secrets anywhere in this project's configuration and in what the
 * libraries it uses log (a Kafka client's `sasl.password`, an HTTP client's `authorization`).
 * Whatever logs an object with one of these, at the top or up to three levels down (a config,
 * an error's request, a request's headers), gets "[redacted]" in its place.
 */
export const SECRET_FIELD_NAMES = [
  "password",
  "saslPassword",
  "sasl.password",
  "passwordFile",
  "token",
  "resonateToken",
  "accessToken",
  "bearer",
  "authorization",
  "Authorization",
  "cookie",
  "secret",
  "clientSecret",
  "key",
  "privateKey",
  "encryptionKey",
  "encryptionKeys",
  "oldKeys",
  "auth",
  "connectionString",
  "databaseUrl",
];

export const REDACTED = "[redacted]";

function pathTo(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`;
}

/** pino redact paths: each name at the top level and up to three levels down. */
export function redactionPaths(names: readonly string[] = SECRET_FIELD_NAMES): string[] {
  const paths: string[] = [];
  for (const name of names) {
    const leaf = pathTo(name);
    const join = (prefix: string) => (leaf.startsWith("[") ? `${prefix}${leaf}` : `${prefix}.${leaf}`);
    paths.push(leaf, join("*"), join("*.*"), join("*.*.*"));
  }
  return paths;
}
