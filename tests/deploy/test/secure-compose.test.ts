import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseOptions } from "@deletion/cli-kit";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cliSpecsIn } from "../support/app-config.js";
import { argsOf, envOf, flagValue, portsOf, service } from "../support/compose.js";
import { readText, repoPath } from "../support/repo.js";
import {
  loadSecureCompose,
  parseEnvFile,
  REQUIRED_VARIABLE,
  SECURE_COMPOSE_FILE,
} from "../support/secure-compose.js";

const example = parseEnvFile(readText(".env.example"));
/** What a user's .env holds once every placeholder is replaced. */
const filled: Record<string, string> = {
  ...example,
  KAFKA_ADMIN_PASSWORD: "admin-password-from-env",
  KAFKA_PRODUCER_PASSWORD: "producer-password-from-env",
  KAFKA_WORKER_PASSWORD: "worker-kafka-password-from-env",
  KAFKA_REDRIVE_PASSWORD: "redrive-password-from-env",
  KAFKA_DELETION_CONSOLE_PASSWORD: "deletion-console-password-from-env",
  KAFKA_TOPIC_SETUP_PASSWORD: "topic-setup-password-from-env",
  KAFKA_BULK_PASSWORD: "bulk-password-from-env",
  KAFKA_CONSOLE_PASSWORD: "console-password-from-env",
  POSTGRES_PASSWORD: "postgres-password-from-env",
  RESONATE_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
  RESONATE_PROMISE_ID_KEY: Buffer.alloc(32, 9).toString("base64"),
  POSTGRES_SEED_PASSWORD: "seed-password-from-env",
  POSTGRES_WORKER_PASSWORD: "worker-password-from-env",
  POSTGRES_STATUS_PASSWORD: "status-password-from-env",
  POSTGRES_RESONATE_PASSWORD: "resonate-password-from-env",
};

// The apps read their certificate and token files at start: the secrets script makes real ones.
const secretsDir = mkdtempSync(join(tmpdir(), "secure-compose-"));
execFileSync("sh", [repoPath("deploy/secure/generate-secrets.sh")], {
  env: { ...process.env, SECRETS_DIR: secretsDir },
  stdio: "ignore",
});
afterAll(() => rmSync(secretsDir, { recursive: true, force: true }));
const withLocalSecrets = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll("/secrets/", `${secretsDir}/`)]));

const compose = loadSecureCompose(filled);

const APPS = [
  { service: "worker", pkg: "@deletion/deletor-worker", args: [] as string[], kafka: true },
  { service: "topic-setup", pkg: "@deletion/topic-setup", args: [] as string[], kafka: true },
  { service: "producer", pkg: "@deletion/producer", args: ["-n", "1"], kafka: true },
  // status reads the Resonate server and the database only.
  { service: "status", pkg: "@deletion/status", args: ["--list"], kafka: false },
  { service: "bulk", pkg: "@deletion/bulk", args: [] as string[], kafka: true },
];

async function parseApp(pkg: string, args: string[], env: Record<string, string>) {
  const module = (await import(`${pkg}/config`)) as Record<string, unknown>;
  const [spec] = cliSpecsIn(module);
  if (!spec) throw new Error(`${pkg}/config exports no CLI spec`);
  return parseOptions(spec, args, env);
}

describe(`${SECURE_COMPOSE_FILE} layered on docker-compose.yml`, () => {
  it("needs no variable that .env.example does not list, and .env.example holds placeholders only", () => {
    const required = [...readText(SECURE_COMPOSE_FILE).matchAll(REQUIRED_VARIABLE)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    for (const name of new Set(required))
      expect(Object.keys(example), `${name} in .env.example`).toContain(name);
    for (const [name, value] of Object.entries(example)) {
      expect(["replace-me", "", "deletor"], `${name} in .env.example`).toContain(value);
    }
    expect(() => loadSecureCompose({})).toThrow(/required variable/);
  });

  it.each(APPS)(
    "gives $service a configuration it accepts (the broker over SASL/SCRAM and TLS)",
    async (app) => {
      const env = withLocalSecrets(envOf(service(compose, app.service)));
      if (app.kafka)
        expect(env).toMatchObject({
          KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
          KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
          KAFKA_SASL_USERNAME: `deletion-${app.service}`,
          KAFKA_SASL_PASSWORD: filled[`KAFKA_${app.service.toUpperCase().replace("-", "_")}_PASSWORD`],
        });
      const result = await parseApp(app.pkg, app.args, env);
      expect(result.kind, result.kind === "error" ? result.message : "").toBe("ok");
    },
  );

  it("runs the workers with a scoped token and encrypted payloads, and refuses the placeholder key", async () => {
    const env = withLocalSecrets(envOf(service(compose, "worker")));
    expect(env).toMatchObject({
      RESONATE_TOKEN_FILE: expect.stringMatching(/worker\.token$/),
      RESONATE_PAYLOAD_ENCRYPTION: "aes-256-gcm",
      RESONATE_PROMISE_PREFIX: "deletion",
    });
    const unfilled = withLocalSecrets(envOf(service(loadSecureCompose(example), "worker")));
    const refused = await parseApp("@deletion/deletor-worker", [], unfilled);
    expect(refused.kind).toBe("error");
    expect(refused.kind === "error" ? refused.message : "").toMatch(/RESONATE_ENCRYPTION_KEY/);
  });

  it("workers and status derive promise ids with the same key and read payloads strictly", () => {
    for (const name of ["worker", "status"]) {
      expect(envOf(service(compose, name)), name).toMatchObject({
        RESONATE_PROMISE_ID_KEY: filled.RESONATE_PROMISE_ID_KEY,
        RESONATE_PAYLOAD_STRICT: "true",
      });
    }
    expect(envOf(service(compose, "secrets")).RESONATE_PROMISE_ID_KEY).toBe(filled.RESONATE_PROMISE_ID_KEY);
  });

  it("gives every app its own PostgreSQL role; only postgres and db-grants know the superuser's password", () => {
    const userOf = (url: string | undefined) => (url ? decodeURIComponent(new URL(url).username) : undefined);
    const dbOf = (url: string | undefined) => (url ? new URL(url).pathname : undefined);
    expect(userOf(envOf(service(compose, "worker")).DATABASE_URL)).toBe("deletion_worker");
    expect(userOf(envOf(service(compose, "status")).DATABASE_URL)).toBe("deletion_status");
    expect(userOf(envOf(service(compose, "seed")).DATABASE_URL)).toBe("deletion_seed");
    const storage = envOf(service(compose, "resonate")).RESONATE_STORAGE__POSTGRES__URL;
    expect([userOf(storage), dbOf(storage)]).toEqual(["resonate", "/resonate"]);
    for (const [name, svc] of Object.entries(compose.services)) {
      const holds = Object.values(envOf(svc)).some((v) => v.includes(filled.POSTGRES_PASSWORD as string));
      if (!["postgres", "db-grants", "secrets"].includes(name)) expect(holds, name).toBe(false);
    }
    const postgres = service(compose, "postgres");
    expect(JSON.stringify(postgres.volumes)).toContain(
      "deploy/secure/postgres-init:/docker-entrypoint-initdb.d",
    );
    for (const role of ["SEED", "WORKER", "STATUS", "RESONATE"]) {
      expect(envOf(postgres)[`POSTGRES_${role}_PASSWORD`], role).toBe(filled[`POSTGRES_${role}_PASSWORD`]);
    }
    // db-grants grants on exactly the workers' tables.
    expect(envOf(service(compose, "db-grants")).DELETE_TABLES).toBe(
      envOf(service(compose, "worker")).DELETE_TABLES,
    );
  });

  it("starts the Resonate server checking tokens, and publishes nothing beyond loopback but the broker's TLS port", () => {
    const resonate = service(compose, "resonate");
    expect(flagValue(argsOf(resonate.command), "--auth-publickey")).toBe("/secrets/resonate-auth.pub");
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const port of svc.ports ?? []) {
        const text = String(port);
        if (name === "redpanda" && portsOf({ ports: [port] })[0]?.container === 19092) continue;
        expect(text, `${name} publishes ${text}`).toMatch(/^127\.0\.0\.1:/);
      }
    }
  });

  it("has no secret written into it: every password and key comes from .env", () => {
    const text = readText(SECURE_COMPOSE_FILE);
    for (const line of text.split("\n").filter((l) => /(PASSWORD|_KEY|TOKEN)[A-Z_]*:\s/.test(l))) {
      expect(line, line).toMatch(/:\s*(\$\{[A-Z_]+(:\?[^}]*|:-)?\}|\/secrets\/|aes-256-gcm|$)/);
    }
    for (const value of ["admin-password-from-env", "app-password-from-env"])
      expect(text).not.toContain(value);
  });
});

describe("the secured Redpanda configuration (deploy/secure)", () => {
  const node = parse(readText("deploy/secure/redpanda.yaml")) as {
    redpanda: {
      kafka_api: { name: string; authentication_method?: string }[];
      kafka_api_tls: { name: string; enabled: boolean; cert_file: string }[];
    };
  };
  const cluster = parse(readText("deploy/secure/bootstrap.yaml")) as Record<string, unknown>;

  it("takes only SASL over TLS on every Kafka listener", () => {
    expect(node.redpanda.kafka_api.length).toBeGreaterThan(0);
    for (const listener of node.redpanda.kafka_api) {
      expect(listener.authentication_method, listener.name).toBe("sasl");
      const tls = node.redpanda.kafka_api_tls.find((t) => t.name === listener.name);
      expect(tls?.enabled, `${listener.name} TLS`).toBe(true);
    }
    expect(cluster).toMatchObject({ enable_sasl: true, superusers: ["admin"] });
  });
});
