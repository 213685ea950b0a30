import { parse } from "yaml";
import { readText } from "./repo.js";

export const COMPOSE_FILE = "docker-compose.yml";

type EnvValue = string | number | boolean | null;

export interface ComposeBuild {
  context?: string;
  dockerfile?: string;
  target?: string;
  args?: Record<string, EnvValue> | string[];
}

export interface ComposeHealthcheck {
  test?: string | string[];
  disable?: boolean;
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export type ComposePort = string | number | { target: number; published?: string | number; host_ip?: string };

export interface ComposeService {
  image?: string;
  build?: string | ComposeBuild;
  pull_policy?: string;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  ports?: ComposePort[];
  expose?: (string | number)[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  healthcheck?: ComposeHealthcheck;
  depends_on?: string[] | Record<string, { condition?: string }>;
  restart?: string;
  container_name?: string;
  hostname?: string;
  profiles?: string[];
  deploy?: { replicas?: number; restart_policy?: { condition?: string } };
  user?: string;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  mem_limit?: string | number;
  logging?: { driver?: string; options?: Record<string, string> };
  network_mode?: string;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** docker-compose.yml as data (YAML merge keys `<<:` resolved, as Compose does). */
export function loadCompose(): ComposeFile {
  const data = parse(readText(COMPOSE_FILE), { merge: true }) as ComposeFile;
  if (!data || typeof data.services !== "object") throw new Error(`${COMPOSE_FILE} has no services`);
  return data;
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`${COMPOSE_FILE} has no service "${name}"`);
  return found;
}

/** `${VAR:-default}` and `${VAR-default}` become their default; Compose would read VAR from the shell. */
export const withDefaults = (text: string): string =>
  text.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, (_match, fallback: string) => fallback);

/** A service's environment as strings; keys without a value (taken from the shell) are left out. */
export function envOf(svc: ComposeService): Record<string, string> {
  const env: Record<string, string> = {};
  const raw = svc.environment ?? {};
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const eq = entry.indexOf("=");
      if (eq > 0) env[entry.slice(0, eq)] = withDefaults(entry.slice(eq + 1));
    }
  } else {
    for (const [key, value] of Object.entries(raw)) {
      if (value !== null && value !== undefined) env[key] = withDefaults(String(value));
    }
  }
  return env;
}

export interface PortMapping {
  /** The host address it is published on; undefined = every interface. */
  hostIp?: string;
  host?: number;
  container: number;
  protocol: string;
}

/** `ports:` in short ("[ip:]host:container[/proto]") or long syntax. */
export function portsOf(svc: ComposeService): PortMapping[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === "object") {
      return {
        container: Number(port.target),
        protocol: "tcp",
        ...(port.host_ip ? { hostIp: port.host_ip } : {}),
        ...(port.published !== undefined ? { host: Number(port.published) } : {}),
      };
    }
    // `${BIND_ADDRESS:-127.0.0.1}:...` is read with its default, as Compose does without the variable.
    const [spec = "", protocol = "tcp"] = withDefaults(String(port)).split("/");
    const parts = spec.split(":");
    const container = parts.at(-1) ?? "";
    const host = parts.length >= 2 ? parts.at(-2) : undefined;
    const hostIp = parts.length >= 3 ? parts.slice(0, -2).join(":") : undefined;
    if (!/^\d+$/.test(container) || (host !== undefined && !/^\d+$/.test(host))) {
      throw new Error(`port "${port}": ranges and variables are not supported by this test`);
    }
    return {
      container: Number(container),
      protocol,
      ...(host !== undefined ? { host: Number(host) } : {}),
      ...(hostIp ? { hostIp } : {}),
    };
  });
}

/** The host port published for a container port, if any. */
export function hostPortFor(svc: ComposeService, containerPort: number): number | undefined {
  return portsOf(svc).find((p) => p.container === containerPort)?.host;
}

/** depends_on in either form, as service → condition. */
export function dependsOn(svc: ComposeService): Record<string, string> {
  const deps = svc.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, "service_started"]));
  return Object.fromEntries(
    Object.entries(deps).map(([name, spec]) => [name, spec?.condition ?? "service_started"]),
  );
}

export function argsOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : value.split(/\s+/).filter(Boolean);
}

/** The value of `--flag value` or `--flag=value` in an argument list. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === flag) return args[i + 1];
    if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
  }
  return undefined;
}

export function hasFlag(args: readonly string[], flag: string, value?: string): boolean {
  return value === undefined ? args.includes(flag) : flagValue(args, flag) === value;
}

/** The healthcheck's command as one string (for looking at what it probes). */
export function healthcheckText(svc: ComposeService): string {
  const test = svc.healthcheck?.test;
  if (test === undefined) return "";
  return Array.isArray(test) ? test.join(" ") : test;
}

export function hasHealthcheck(svc: ComposeService): boolean {
  const test = svc.healthcheck?.test;
  if (!test || svc.healthcheck?.disable) return false;
  const parts = Array.isArray(test) ? test : [test];
  return parts.length > 0 && parts[0] !== "NONE" && parts.join("").trim() !== "";
}

export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(ref: string): ImageRef {
  const [name = "", digest] = ref.split("@");
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const hasTag = colon > slash;
  return {
    repository: hasTag ? name.slice(0, colon) : name,
    ...(hasTag ? { tag: name.slice(colon + 1) } : {}),
    ...(digest ? { digest } : {}),
  };
}

/**
 * Pinned = an exact release (major.minor.patch, optionally with a variant suffix such as
 * "-bookworm-slim") or a content digest. "latest", "22", "v24.3" or "22-bookworm-slim" move.
 */
export function isPinned(ref: string): boolean {
  const image = parseImageRef(ref);
  if (image.digest && /^sha256:[0-9a-f]{64}$/.test(image.digest)) return true;
  // PostgreSQL numbers its releases MAJOR.MINOR (since 10): "18.4" is one exact release, "18" floats.
  if (/(^|\/)postgres$/.test(image.repository) && image.tag !== undefined)
    return /^\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(image.tag);
  return image.tag !== undefined && /^v?\d+\.\d+\.\d+([-+.][0-9A-Za-z.-]+)?$/.test(image.tag);
}

export interface Listener {
  name: string;
  host: string;
  port: number;
}

/** Redpanda's "--kafka-addr internal://0.0.0.0:9092,external://0.0.0.0:19092" form. */
export function parseListeners(value: string | undefined): Listener[] {
  if (!value) return [];
  return value.split(",").map((entry) => {
    const match = /^(?:([A-Za-z0-9_-]+):\/\/)?([^:]+):(\d+)$/.exec(entry.trim());
    if (!match) throw new Error(`cannot read listener "${entry}"`);
    return { name: match[1] ?? "default", host: match[2] as string, port: Number(match[3]) };
  });
}
