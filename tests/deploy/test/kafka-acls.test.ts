import { describe, expect, it } from "vitest";
import { envOf, service } from "../support/compose.js";
import { objectOf, render, VALUES_FILES } from "../support/helm.js";
import { containerOf, plainEnvOf, podTemplateOf } from "../support/kube-pod.js";
import { readText } from "../support/repo.js";
import { loadSecureCompose, parseEnvFile } from "../support/secure-compose.js";

/*
 * The secured variant's Kafka users and ACLs (deploy/secure/kafka-users.sh), read as data: every
 * app connects as a user of its own, and each user may do exactly what its app needs.
 */

const script = readText("deploy/secure/kafka-users.sh");
const vars: Record<string, string> = {};
for (const [, name, value] of script.matchAll(/^([A-Z_]+)=([a-z_]+)$/gm))
  vars[name as string] = value as string;
const expand = (word: string) =>
  word.replace(/^"?\$([A-Z_]+)"?$/, (_m, name: string) => vars[name] ?? `$${name}`);

/** user -> "topic:<name>" | "group:<name>*" -> operations */
const acls = new Map<string, Map<string, Set<string>>>();
const grant = (user: string, resource: string, ops: string) => {
  const byResource = acls.get(user) ?? new Map<string, Set<string>>();
  acls.set(user, byResource);
  const set = byResource.get(resource) ?? new Set<string>();
  for (const op of ops.split(",")) set.add(op);
  byResource.set(resource, set);
};
for (const line of script.split("\n").map((l) => l.trim())) {
  const allow = /^allow (\S+) (topic|group) (\S+) (\S+)( prefixed)?$/.exec(line);
  if (allow) {
    const [, user, kind, name, ops, prefixed] = allow as unknown as string[];
    grant(user as string, `${kind}:${expand(name as string)}${prefixed ? "*" : ""}`, ops as string);
  }
  const loop = /^for topic in (.+); do$/.exec(line);
  if (loop) {
    // The loops grant every pipeline topic: checked through the body below.
    const topics = (loop[1] as string).split(" ").map(expand);
    const body =
      script
        .slice(script.indexOf(line) + line.length)
        .split("\n")[1]
        ?.trim() ?? "";
    const inner = /^allow (\S+) topic "\$topic" (\S+)$/.exec(body);
    if (inner) for (const t of topics) grant(inner[1] as string, `topic:${t}`, inner[2] as string);
  }
}
const idempotentProducers = [...script.matchAll(/^producer (\S+)$/gm)].map((m) => m[1]);

const REQUESTS = "topic:records_to_be_deleted";
const COMPLETIONS = "topic:records_that_were_deleted";
const DEAD_LETTERS = "topic:records_to_be_deleted_dlq";
const BULK_REQUESTS = "topic:bulk_deletions_requested";
const BULK_COMPLETIONS = "topic:bulk_deletions_completed";
const ops = (user: string, resource: string) => [...(acls.get(user)?.get(resource) ?? [])].sort();
const resources = (user: string) => [...(acls.get(user)?.keys() ?? [])].sort();

describe("Kafka users and ACLs of the secured variant", () => {
  it("every app connects as its own user, one that kafka-users.sh creates", () => {
    const env = parseEnvFile(readText(".env.example"));
    const filled = Object.fromEntries(
      Object.keys(env).map((k) => [k, `${k.toLowerCase()}-0123456789-abcdef`]),
    );
    filled.RESONATE_ENCRYPTION_KEY = `k1:${Buffer.alloc(32, 7).toString("base64")}`;
    filled.RESONATE_PROMISE_ID_KEY = Buffer.alloc(32, 9).toString("base64");
    const compose = loadSecureCompose(filled);
    const users = ["topic-setup", "worker", "producer", "redrive", "console", "bulk"].map(
      (name) => envOf(service(compose, name)).KAFKA_SASL_USERNAME,
    );
    expect(users).toEqual([
      "deletion-topic-setup",
      "deletion-worker",
      "deletion-producer",
      "deletion-redrive",
      "deletion-console",
      "deletion-bulk",
    ]);
    for (const user of users) expect(script).toContain(`upsert ${user} `);
  });

  it("the producer only writes requests", () => {
    expect(resources("deletion-producer")).toEqual([REQUESTS]);
    expect(ops("deletion-producer", REQUESTS)).toEqual(["describe", "write"]);
  });

  it("the bulk tool only writes bulk requests", () => {
    expect(resources("deletion-bulk")).toEqual([BULK_REQUESTS]);
    expect(ops("deletion-bulk", BULK_REQUESTS)).toEqual(["describe", "write"]);
  });

  it("the worker reads bulk requests in its group (deletor-workers-bulk) and writes bulk completions", () => {
    expect(ops("deletion-worker", BULK_REQUESTS)).toEqual(["describe", "read"]);
    expect(ops("deletion-worker", BULK_COMPLETIONS)).toEqual(["describe", "write"]);
    expect("deletor-workers-bulk".startsWith("deletor-workers")).toBe(true);
  });

  it("the worker reads requests in its group and writes completions and dead letters; it reads neither of those", () => {
    expect(ops("deletion-worker", REQUESTS)).toEqual(["describe", "read", "write"]);
    expect(ops("deletion-worker", COMPLETIONS)).toEqual(["describe", "write"]);
    expect(ops("deletion-worker", DEAD_LETTERS)).toEqual(["describe", "write"]);
    expect(ops("deletion-worker", "group:deletor-workers*")).toEqual(["describe", "read"]);
  });

  it("redrive reads dead letters in its group and writes requests, nothing else", () => {
    expect(resources("deletion-redrive")).toEqual([REQUESTS, "group:deletion-redrive*", DEAD_LETTERS].sort());
    expect(ops("deletion-redrive", DEAD_LETTERS)).toEqual(["describe", "read"]);
    expect(ops("deletion-redrive", REQUESTS)).toEqual(["describe", "write"]);
  });

  it("topic-setup creates and configures topics but reads and writes no message", () => {
    for (const resource of resources("deletion-topic-setup")) {
      expect(ops("deletion-topic-setup", resource), resource).not.toContain("read");
      expect(ops("deletion-topic-setup", resource), resource).not.toContain("write");
    }
    expect(ops("deletion-topic-setup", REQUESTS)).toContain("create");
  });

  it("Redpanda Console and the deletion console never create or alter; only the deletion console publishes, requests and bulk requests only", () => {
    for (const resource of resources("console")) {
      expect(ops("console", resource), resource).not.toEqual(expect.arrayContaining(["write"]));
      expect(ops("console", resource), resource).not.toEqual(expect.arrayContaining(["create"]));
    }
    for (const resource of resources("deletion-console")) {
      const allowed = ops("deletion-console", resource);
      expect([REQUESTS, BULK_REQUESTS]).toContain(allowed.includes("write") ? resource : REQUESTS);
      expect(allowed, resource).not.toEqual(expect.arrayContaining(["create"]));
    }
  });

  it("only the apps that publish may write idempotently; nobody but admin is a superuser", () => {
    expect(idempotentProducers.sort()).toEqual(
      [
        "deletion-bulk",
        "deletion-console",
        "deletion-producer",
        "deletion-redrive",
        "deletion-worker",
      ].sort(),
    );
    expect(script).not.toMatch(/--operation all|superuser/);
  });
});

describe("Kafka users of the Helm chart", () => {
  /** Every Secret (name/key) a pod mounts. */
  const mountedSecrets = (workload: ReturnType<typeof objectOf>) =>
    (podTemplateOf(workload).spec.volumes ?? [])
      .flatMap((v) => v.projected?.sources ?? [])
      .flatMap((s) => (s.secret ? (s.secret.items ?? []).map((i) => `${s.secret?.name}/${i.key}`) : []))
      .sort();

  it("the worker and topic-setup connect as the compose variant's users, each with only its own password file", () => {
    const manifests = render(VALUES_FILES.secured);
    const worker = objectOf(manifests, "Deployment", "worker");
    const job = objectOf(manifests, "Job", "topic-setup");
    const workerEnv = plainEnvOf(containerOf(worker, "worker"));
    const jobEnv = plainEnvOf(containerOf(job, "topic-setup"));
    expect([workerEnv.KAFKA_SASL_USERNAME, jobEnv.KAFKA_SASL_USERNAME]).toEqual([
      "deletion-worker",
      "deletion-topic-setup",
    ]);
    // The same users kafka-users.sh creates and gives ACLs to.
    for (const user of ["deletion-worker", "deletion-topic-setup"])
      expect(script).toContain(`upsert ${user} `);
    expect(workerEnv.KAFKA_SASL_PASSWORD_FILE).toMatch(/^\/var\/run\/secrets\//);
    expect(jobEnv.KAFKA_SASL_PASSWORD_FILE).toMatch(/^\/var\/run\/secrets\//);
    expect(mountedSecrets(worker)).toContain("batch-deletion-kafka-worker/password");
    expect(mountedSecrets(worker)).not.toContain("batch-deletion-kafka-topic-setup/password");
    expect(mountedSecrets(job)).toContain("batch-deletion-kafka-topic-setup/password");
    expect(mountedSecrets(job)).not.toContain("batch-deletion-kafka-worker/password");
  });

  it("KEDA reads the consumer lag as the worker, never with topic-setup's password", () => {
    const manifests = render(VALUES_FILES.secured);
    const auth = manifests.find((m) => m.kind === "TriggerAuthentication");
    expect(JSON.stringify(auth?.spec)).toContain("batch-deletion-kafka-worker");
    expect(JSON.stringify(auth?.spec)).not.toContain("batch-deletion-kafka-topic-setup");
  });
});
