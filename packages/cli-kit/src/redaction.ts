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
  "statusToken",
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

const SECRETS: ReadonlySet<string> = new Set(SECRET_FIELD_NAMES);

/** How far below the top a secret field is still found: the top and three levels down. */
const MAX_DEPTH = 3;

/**
 * The object with every secret field, at the top or up to three levels down, replaced by
 * REDACTED; the object itself when it holds none (the common case costs one pass over its keys
 * and no copy). Only plain objects, arrays and errors are entered: a Buffer or a class instance
 * is logged as it is. An error that holds a secret becomes its serialised form (`serialiseError`)
 * with the secret replaced.
 */
export function redactSecrets<T>(value: T, serialiseError: (error: Error) => object = plainError): T {
  return redact(value, 0, serialiseError) as T;
}

function redact(value: unknown, depth: number, serialiseError: (error: Error) => object): unknown {
  if (depth > MAX_DEPTH || !isEntered(value)) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    const next =
      SECRETS.has(key) && field !== undefined ? REDACTED : redact(field, depth + 1, serialiseError);
    if (next === field) continue;
    copy ??= copyOf(value, serialiseError);
    (copy as Record<string, unknown>)[key] = next;
  }
  return copy ?? value;
}

function isEntered(value: unknown): value is object {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value) || value instanceof Error) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function copyOf(
  value: object,
  serialiseError: (error: Error) => object,
): Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return [...value];
  if (value instanceof Error) return { ...serialiseError(value) };
  return { ...value };
}

function plainError(error: Error): object {
  return { ...error, type: error.name, message: error.message, stack: error.stack };
}
