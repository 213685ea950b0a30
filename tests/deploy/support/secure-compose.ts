import { parse } from "yaml";
import { type ComposeFile, type ComposeService, loadCompose } from "./compose.js";
import { readText } from "./repo.js";

export const SECURE_COMPOSE_FILE = "docker-compose.secure.yml";

/** Compose's `!override` tag: the value replaces the base file's instead of being merged with it. */
class Override {
  constructor(readonly value: unknown) {}
}
const overrideTag = {
  tag: "!override",
  collection: "seq" as const,
  resolve: (value: unknown) => new Override((value as { toJSON(): unknown }).toJSON()),
};

/** A `${VAR:?message}` the file needs from .env. */
export const REQUIRED_VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*):\?[^}]*\}/g;

/** `${VAR...}` with VAR's value from `env` (or its default); a missing required one throws, as Compose does. */
export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])([^}]*))?\}/g,
    (_m, name: string, op: string | undefined, rest: string | undefined) => {
      const value = env[name];
      if (value !== undefined && value !== "") return value;
      if (op === "?") throw new Error(`required variable ${name} is missing a value: ${rest}`);
      return op === "-" ? (rest ?? "") : "";
    },
  );
}

function loadOverride(env: Record<string, string>): ComposeFile {
  const data = parse(interpolate(readText(SECURE_COMPOSE_FILE), env), {
    merge: true,
    customTags: [overrideTag],
  }) as ComposeFile;
  if (!data || typeof data.services !== "object") throw new Error(`${SECURE_COMPOSE_FILE} has no services`);
  return data;
}

function mergeService(base: ComposeService | undefined, top: ComposeService): ComposeService {
  const merged: Record<string, unknown> = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(top)) {
    const was = merged[key];
    if (value instanceof Override) merged[key] = value.value;
    else if (key === "environment" && was && typeof was === "object" && !Array.isArray(was))
      merged[key] = { ...(was as object), ...(value as object) };
    else if (key === "depends_on" && was && typeof was === "object" && !Array.isArray(was))
      merged[key] = { ...(was as object), ...(value as object) };
    else if ((key === "ports" || key === "volumes" || key === "expose") && Array.isArray(was))
      merged[key] = [...was, ...(value as unknown[])];
    else merged[key] = value;
  }
  return merged as ComposeService;
}

/**
 * docker-compose.yml with docker-compose.secure.yml layered on top, as `docker compose -f ... -f
 * ...` merges them (maps merged by key, ports and volumes appended unless `!override`, anything
 * else replaced), its variables taken from `env` (an .env file's).
 */
export function loadSecureCompose(env: Record<string, string>): ComposeFile {
  const base = loadCompose();
  const top = loadOverride(env);
  const services: Record<string, ComposeService> = { ...base.services };
  for (const [name, svc] of Object.entries(top.services))
    services[name] = mergeService(base.services[name], svc);
  return { ...base, services, volumes: { ...(base.volumes ?? {}), ...(top.volumes ?? {}) } };
}

/** KEY=value lines of an .env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq > 0) env[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return env;
}
