import { execFileSync, spawnSync } from "node:child_process";
import { createPublicKey, verify, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  argsOf,
  type ComposeFile,
  envOf,
  flagValue,
  healthcheckText,
  loadCompose,
  portsOf,
  service,
} from "../support/compose.js";
import { readText, repoPath } from "../support/repo.js";
import { loadSecureCompose, parseEnvFile } from "../support/secure-compose.js";

/** A .env as make-env.sh writes it: long, URL-safe secrets. */
const filled: Record<string, string> = {
  ...parseEnvFile(readText(".env.example")),
  KAFKA_ADMIN_PASSWORD: "adminPasswordFromEnv-0123456789",
  KAFKA_PRODUCER_PASSWORD: "producerPasswordFromEnv-0123456789",
  KAFKA_WORKER_PASSWORD: "workerKafkaPasswordFromEnv-0123456789",
  KAFKA_REDRIVE_PASSWORD: "redrivePasswordFromEnv-0123456789",
  KAFKA_DELETION_CONSOLE_PASSWORD: "deletionConsolePasswordFromEnv-0123456789",
  KAFKA_TOPIC_SETUP_PASSWORD: "topicSetupPasswordFromEnv-0123456789",
  KAFKA_BULK_PASSWORD: "bulkPasswordFromEnv-0123456789",
  KAFKA_CONSOLE_PASSWORD: "consolePasswordFromEnv-0123456789",
  POSTGRES_PASSWORD: "postgresPasswordFromEnv-0123456789",
  RESONATE_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
  RESONATE_PROMISE_ID_KEY: Buffer.alloc(32, 9).toString("base64"),
  POSTGRES_SEED_PASSWORD: "seedPasswordFromEnv-0123456789",
  POSTGRES_WORKER_PASSWORD: "workerPasswordFromEnv-0123456789",
  POSTGRES_STATUS_PASSWORD: "statusPasswordFromEnv-0123456789",
  POSTGRES_RESONATE_PASSWORD: "resonatePasswordFromEnv-0123456789",
};
const VARIANTS: [string, ComposeFile][] = [
  ["docker-compose.yml", loadCompose()],
  ["docker-compose.yml + docker-compose.secure.yml", loadSecureCompose(filled)],
];
const secure = loadSecureCompose(filled);
/** Services that run until stopped (not one-shots, not tools run on demand). */
const LONG_RUNNING = ["redpanda", "redpanda-console", "postgres", "resonate", "worker"];
const ONE_SHOTS = new Set(["topic-setup", "secrets", "kafka-users"]);

describe.each(VARIANTS)("%s: nothing exposed, containers hardened", (_name, compose) => {
  const services = Object.entries(compose.services);

  it("publishes every port on 127.0.0.1 unless BIND_ADDRESS says otherwise", () => {
    let published = 0;
    for (const [name, svc] of services) {
      for (const port of portsOf(svc)) {
        published++;
        expect(port.hostIp, `${name} publishes ${port.container} on every interface`).toBe("127.0.0.1");
      }
    }
    expect(published).toBeGreaterThan(0);
  });

  it("drops every capability, forbids privilege gain and rotates logs in every service", () => {
    for (const [name, svc] of services) {
      expect(svc.cap_drop, name).toEqual(["ALL"]);
      expect(svc.security_opt ?? [], name).toContain("no-new-privileges:true");
      expect(svc.logging?.driver, name).toBe("json-file");
      expect(svc.logging?.options?.["max-size"], name).toMatch(/^\d+[km]$/);
      expect(Number(svc.logging?.options?.["max-file"]), name).toBeGreaterThan(0);
    }
  });

  it("limits every service's memory", () => {
    for (const [name, svc] of services) expect(String(svc.mem_limit ?? ""), name).toMatch(/^\d+[mg]$/);
  });

  it("runs every service as a non-root user (the secrets one-shot: root with CAP_CHOWN only, no network)", () => {
    for (const [name, svc] of services) {
      if (name === "secrets") {
        expect(svc.cap_add).toEqual(["CHOWN"]);
        expect(svc.network_mode).toBe("none");
        continue;
      }
      expect(svc.user, `${name} has no user`).toBeDefined();
      expect(String(svc.user).split(":")[0], name).not.toMatch(/^(0|root)$/);
    }
  });

  it("restarts every long-running service, and no one-shot", () => {
    for (const name of LONG_RUNNING) {
      if (!compose.services[name]) continue;
      expect(["unless-stopped", "always", "on-failure"], name).toContain(
        service(compose, name).restart?.split(":")[0],
      );
    }
    for (const name of ONE_SHOTS) {
      if (compose.services[name]) expect([undefined, "no"], name).toContain(compose.services[name]?.restart);
    }
  });

  it("checks health that means it: the server's /ready, PostgreSQL over TCP", () => {
    expect(healthcheckText(service(compose, "resonate"))).toMatch(/http:\/\/127\.0\.0\.1:8001\/ready\b/);
    const pg = healthcheckText(service(compose, "postgres"));
    expect(pg).toMatch(/\bpg_isready\b/);
    expect(pg).toMatch(/ -h \S+/);
  });

  it("puts no secret on a command line: the server reads its storage URL from the environment", () => {
    const resonate = service(compose, "resonate");
    expect(flagValue(argsOf(resonate.command), "--storage-postgres-url")).toBeUndefined();
    expect(envOf(resonate).RESONATE_STORAGE__POSTGRES__URL).toMatch(/^postgres:\/\//);
    for (const [name, svc] of services) {
      const line = [...argsOf(svc.command), ...argsOf(svc.entrypoint)].join(" ");
      expect(line, name).not.toMatch(/postgres:\/\/|PasswordFromEnv|--auth-privatekey/);
    }
  });

  it("has a redrive service in the tools profile", () => {
    const redrive = service(compose, "redrive");
    expect(redrive.profiles).toContain("tools");
    expect(typeof redrive.build === "object" && redrive.build.target).toBe("redrive");
  });
});

describe("the secured variant", () => {
  const redpanda = service(secure, "redpanda");
  const node = parse(readText("deploy/secure/redpanda.yaml")) as { redpanda: Record<string, unknown> };
  const cluster = parse(readText("deploy/secure/bootstrap.yaml")) as Record<string, unknown>;

  it("runs Redpanda in production mode: fsync on, write caching off", () => {
    const args = argsOf(redpanda.command);
    expect(args.slice(0, 2)).toEqual(["redpanda", "start"]);
    expect(args).not.toContain("--mode");
    expect(args.join(" ")).not.toMatch(/dev-container|unsafe-bypass-fsync/);
    expect(node.redpanda.developer_mode).toBe(false);
    expect(cluster.write_caching_default).toBe("false");
  });

  it("protects the Admin API with the admin's password, created when the cluster forms", () => {
    expect(cluster.admin_api_require_auth).toBe(true);
    expect(cluster.superusers).toEqual(["admin"]);
    expect(envOf(redpanda).RP_BOOTSTRAP_USER).toBe(`admin:${filled.KAFKA_ADMIN_PASSWORD}`);
    // The health check's rpk reads the credentials from RPK_USER / RPK_PASS, not from flags.
    expect(envOf(redpanda)).toMatchObject({ RPK_USER: "admin", RPK_PASS: filled.KAFKA_ADMIN_PASSWORD });
    const users = readText("deploy/secure/kafka-users.sh");
    expect(users).toMatch(/export .*RPK_PASS="\$KAFKA_ADMIN_PASSWORD"/);
    expect(users).not.toMatch(/-X pass=/);
  });

  it("runs Console only in an opt-in profile, as a read-only Kafka user, without the Admin API", () => {
    const console_ = service(secure, "redpanda-console");
    expect(console_.profiles).toEqual(["console"]);
    expect(envOf(console_)).toMatchObject({
      KAFKA_SASL_USERNAME: "console",
      KAFKA_SASL_PASSWORD: filled.KAFKA_CONSOLE_PASSWORD,
      REDPANDA_ADMINAPI_ENABLED: "false",
    });
    // Every ACL the console user gets is a read or describe.
    const grants = readText("deploy/secure/kafka-users.sh")
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith("allow console ") || line.includes("--allow-principal User:console"));
    expect(grants.length).toBeGreaterThan(0);
    for (const grant of grants) {
      const operations = (/--operation (\S+)/.exec(grant)?.[1] ?? grant.split(" ")[4])?.split(",") ?? [];
      expect(operations.length, grant).toBeGreaterThan(0);
      for (const op of operations) expect(["read", "describe", "describe_configs"], grant).toContain(op);
    }
  });

  it("makes its secrets with no network: openssl is in the image, nothing is installed at start", () => {
    const secrets = service(secure, "secrets");
    expect(secrets.network_mode).toBe("none");
    expect(readText("deploy/secure/Dockerfile")).toMatch(/apk add --no-cache openssl/);
    for (const script of ["generate-secrets.sh", "check-env.sh"])
      expect(readText("deploy/secure", script), script).not.toMatch(/apk add|apt-get|curl|wget/);
  });

  it("lets each service read only its own secret files", () => {
    const dir = mkdtempSync(join(tmpdir(), "secret-modes-"));
    try {
      execFileSync("sh", [repoPath("deploy/secure/generate-secrets.sh")], {
        env: { ...process.env, SECRETS_DIR: dir },
        stdio: "ignore",
      });
      const gid = (name: string) => Number(String(service(secure, name).user).split(":")[1]);
      const mode = (file: string) => statSync(join(dir, file)).mode & 0o777;
      const group = (file: string) => statSync(join(dir, file)).gid;
      for (const file of ["worker.token", "status-http.token", "status.token"])
        expect(mode(file), file).toBe(0o440);
      expect(mode("broker.key")).toBe(0o400);
      for (const file of ["ca.crt", "broker.crt", "resonate-auth.pub"]) expect(mode(file), file).toBe(0o444);
      if (process.getuid?.() === 0) {
        // Only root can hand files to other groups (as the secrets service does).
        expect(group("worker.token")).toBe(gid("worker"));
        expect(group("status-http.token")).toBe(gid("worker"));
        expect(group("status.token")).toBe(gid("status"));
        expect(gid("status")).not.toBe(gid("worker"));
        expect(statSync(join(dir, "broker.key")).uid).toBe(101);
      }
      // The workers' /status token is the file the worker is told to read.
      expect(envOf(service(secure, "worker")).STATUS_TOKEN_FILE).toBe("/secrets/status-http.token");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("secrets scripts (deploy/secure)", () => {
  const dir = mkdtempSync(join(tmpdir(), "secrets-scripts-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sh = (script: string, env: Record<string, string>, args: string[] = []) =>
    spawnSync("sh", [repoPath("deploy/secure", script), ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
    });

  it("check-env.sh refuses placeholders, empty, short and URL-breaking secrets, naming each variable", () => {
    const good = sh("check-env.sh", filled);
    expect(good.status, good.stderr).toBe(0);
    const bad = sh("check-env.sh", {
      ...filled,
      KAFKA_ADMIN_PASSWORD: "replace-me",
      KAFKA_WORKER_PASSWORD: "",
      KAFKA_CONSOLE_PASSWORD: "short1",
      POSTGRES_PASSWORD: "abc/def+ghi=jkl@mno:pqr0123",
      RESONATE_ENCRYPTION_KEY: "replace-me",
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/KAFKA_ADMIN_PASSWORD is a placeholder/);
    expect(bad.stderr).toMatch(/KAFKA_WORKER_PASSWORD is empty/);
    expect(bad.stderr).toMatch(/KAFKA_CONSOLE_PASSWORD is 6 characters long/);
    expect(bad.stderr).toMatch(/POSTGRES_PASSWORD has characters other than/);
    expect(bad.stderr).toMatch(/RESONATE_ENCRYPTION_KEY is a placeholder/);
    expect(bad.stderr).not.toContain("abc/def");
    expect(sh("check-env.sh", { ...filled, RESONATE_ENCRYPTION_KEY: "k1:c2hvcnQ=" }).stderr).toMatch(
      /RESONATE_ENCRYPTION_KEY is not 32 bytes/,
    );
    expect(sh("check-env.sh", { ...filled, RESONATE_PROMISE_ID_KEY: "replace-me" }).stderr).toMatch(
      /RESONATE_PROMISE_ID_KEY is a placeholder/,
    );
    expect(sh("check-env.sh", { ...filled, RESONATE_PROMISE_ID_KEY: "c2hvcnQ=" }).stderr).toMatch(
      /RESONATE_PROMISE_ID_KEY is not at least 32 bytes/,
    );
  });

  it("make-env.sh writes a 0600 .env of URL-safe secrets that pass the check, and never overwrites one", () => {
    const target = join(dir, "made.env");
    const made = sh("make-env.sh", {}, [target]);
    expect(made.status, made.stderr).toBe(0);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const env = parseEnvFile(readFileSync(target, "utf8"));
    for (const name of [
      "KAFKA_ADMIN_PASSWORD",
      "KAFKA_PRODUCER_PASSWORD",
      "KAFKA_WORKER_PASSWORD",
      "KAFKA_REDRIVE_PASSWORD",
      "KAFKA_DELETION_CONSOLE_PASSWORD",
      "KAFKA_TOPIC_SETUP_PASSWORD",
      "KAFKA_BULK_PASSWORD",
      "KAFKA_CONSOLE_PASSWORD",
      "POSTGRES_PASSWORD",
      "POSTGRES_SEED_PASSWORD",
      "POSTGRES_WORKER_PASSWORD",
      "POSTGRES_STATUS_PASSWORD",
      "POSTGRES_RESONATE_PASSWORD",
    ]) {
      expect(env[name], name).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(() => new URL(`postgres://deletion:${env[name]}@postgres:5432/deletion`)).not.toThrow();
    }
    expect(sh("check-env.sh", env).status).toBe(0);
    writeFileSync(target, "KEEP=1\n");
    expect(sh("make-env.sh", {}, [target]).status).toBe(1);
    expect(readFileSync(target, "utf8")).toBe("KEEP=1\n");
  });

  it("generate-secrets.sh renews certificates and tokens near their end; the renewed ones verify", () => {
    const out = join(dir, "volume");
    const run = (env: Record<string, string>) => sh("generate-secrets.sh", { SECRETS_DIR: out, ...env });
    const read = (file: string) => readFileSync(join(out, file), "utf8");
    expect(run({ SECRETS_VALID_DAYS: "3", SECRETS_RENEW_DAYS: "1" }).stdout).toMatch(/valid 3 days/);
    const firstCa = read("ca.crt");
    const firstToken = read("worker.token");
    // Still good for more than a day: left alone.
    expect(run({ SECRETS_VALID_DAYS: "3", SECRETS_RENEW_DAYS: "1" }).stdout).toMatch(/already made/);
    expect(read("ca.crt")).toBe(firstCa);
    // Ends within the renewal window: everything is made anew, valid for the full period again.
    const renewed = run({ SECRETS_VALID_DAYS: "30", SECRETS_RENEW_DAYS: "5" });
    expect(renewed.stdout).toMatch(/made \(valid 30 days; because ca\.crt ends within 5 days\)/);
    const ca = new X509Certificate(read("ca.crt"));
    const broker = new X509Certificate(read("broker.crt"));
    expect(read("ca.crt")).not.toBe(firstCa);
    expect(broker.verify(ca.publicKey)).toBe(true);
    expect(broker.verify(new X509Certificate(firstCa).publicKey)).toBe(false);
    expect(new Date(broker.validTo).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const [header, claims, signature] = read("worker.token").trim().split(".") as [string, string, string];
    const key = createPublicKey(read("resonate-auth.pub"));
    expect(verify(null, Buffer.from(`${header}.${claims}`), key, Buffer.from(signature, "base64url"))).toBe(
      true,
    );
    const exp = (JSON.parse(Buffer.from(claims, "base64url").toString()) as { exp: number }).exp;
    expect(exp * 1000).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(read("worker.token")).not.toBe(firstToken);
    expect(read("status-http.token").trim()).toMatch(/^[0-9a-f]{64}$/);
    // SECRETS_RENEW=1 renews at once; nothing but the seven files is left behind.
    expect(run({ SECRETS_RENEW: "1" }).stdout).toMatch(/because SECRETS_RENEW=1/);
    expect(existsSync(join(out, ".new"))).toBe(false);
    expect(run({ SECRETS_VALID_DAYS: "5", SECRETS_RENEW_DAYS: "5" }).status).toBe(2);
  }, 60_000);
});
