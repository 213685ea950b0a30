import { type CliSpec, type OptionSpecs, parseOptions } from "@deletion/cli-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliSpecsIn, envNamesOf, envProblems } from "../support/app-config.js";
import { localSecrets } from "../support/chart-secrets.js";
import {
  helmTemplate,
  type Manifest,
  objectOf,
  render,
  VALUES_FILES,
  type ValuesName,
} from "../support/helm.js";
import {
  bytesOf,
  type Container,
  containerOf,
  plainEnvOf,
  podTemplateOf,
  secretEnvOf,
  secretFileAt,
} from "../support/kube-pod.js";
import { readJson } from "../support/repo.js";
import { PINNED_IMAGES } from "../support/versions.js";

/** Where the chart mounts secret files (templates/_helpers.tpl, bd.secretsDir). */
const SECRETS_MOUNT = "/var/run/secrets/batch-deletion";

/** Which Secret key each values file puts behind each of the worker's secret settings. */
const WORKER_SECRETS: Record<ValuesName, Record<string, string>> = {
  default: {},
  secured: {
    KAFKA_SASL_PASSWORD_FILE: "batch-deletion-kafka-worker/password",
    KAFKA_SSL_CA_FILE: "batch-deletion-kafka/ca.crt",
    RESONATE_TOKEN_FILE: "batch-deletion-resonate-token/worker.token",
    RESONATE_ENCRYPTION_KEY_FILE: "batch-deletion-payload-key/current",
    RESONATE_PROMISE_ID_KEY_FILE: "batch-deletion-promise-id-key/key",
    STATUS_TOKEN_FILE: "batch-deletion-status-http/token",
    DATABASE_URL: "batch-deletion-database/url",
  },
  external: {
    KAFKA_SSL_CA_FILE: "kafka-client-tls/ca.crt",
    KAFKA_SSL_CERT_FILE: "kafka-client-tls/tls.crt",
    KAFKA_SSL_KEY_FILE: "kafka-client-tls/tls.key",
    RESONATE_TOKEN_FILE: "resonate-token/token",
    DATABASE_URL: "deletion-database/url",
  },
};

/** Variables that hold a secret's value: never set by the chart (their *_FILE forms are). */
const SECRET_VALUE_ENV = [
  "KAFKA_SASL_PASSWORD",
  "RESONATE_TOKEN",
  "RESONATE_ENCRYPTION_KEY",
  "RESONATE_ENCRYPTION_OLD_KEYS",
  "RESONATE_PROMISE_ID_KEY",
  "STATUS_TOKEN",
];

/** A value for each variable the pod takes from a Secret, as the kubelet would put it there. */
const SECRET_ENV_VALUES: Record<string, string> = {
  DATABASE_URL: "postgres://deletion:password-from-secret@db.example.internal:5432/deletion",
  REPLICA_DATABASE_URL: "postgres://deletion:password-from-secret@replica.example.internal:5432/deletion",
};

async function specOf(pkg: string): Promise<CliSpec<OptionSpecs>> {
  const module = (await import(`${pkg}/config`).catch((error: unknown) => {
    throw new Error(`cannot import ${pkg}/config (build it: pnpm turbo run build --filter=${pkg}): ${error}`);
  })) as Record<string, unknown>;
  const [spec] = cliSpecsIn(module);
  if (!spec) throw new Error(`${pkg}/config exports no CLI spec`);
  return spec;
}

const secrets = localSecrets();
afterAll(() => secrets.remove());

/** The environment the app in `container` starts with, files and Secret variables resolved locally. */
function appEnv(container: Container): Record<string, string> {
  const fromSecrets = Object.fromEntries(
    Object.keys(secretEnvOf(container)).map((name) => [name, SECRET_ENV_VALUES[name] ?? "from-a-secret"]),
  );
  return secrets.localise({ ...plainEnvOf(container), ...fromSecrets }, SECRETS_MOUNT);
}

/** Each *_FILE variable and Secret variable of a container as "secret/key". */
function secretSourcesOf(workload: Manifest, container: Container): Record<string, string> {
  const pod = podTemplateOf(workload).spec;
  const sources: Record<string, string> = {};
  for (const [name, value] of Object.entries(plainEnvOf(container))) {
    if (!name.endsWith("_FILE")) continue;
    const file = secretFileAt(pod, container, value);
    expect(file, `${name}=${value} is no file of a mounted Secret`).toBeDefined();
    expect(file?.readOnly, `${name}: its mount is read-only`).toBe(true);
    sources[name] = `${file?.secret}/${file?.key}`;
  }
  for (const [name, ref] of Object.entries(secretEnvOf(container))) sources[name] = `${ref.name}/${ref.key}`;
  return sources;
}

describe.each(Object.keys(VALUES_FILES) as ValuesName[])("the chart with the %s values", (name) => {
  let manifests: Manifest[];
  let worker: Manifest;
  let workerSpec: CliSpec<OptionSpecs>;
  beforeAll(async () => {
    manifests = render(VALUES_FILES[name]);
    worker = objectOf(manifests, "Deployment", "worker");
    workerSpec = await specOf("@deletion/deletor-worker");
  });

  const workerConfig = () => {
    const result = parseOptions(workerSpec, [], appEnv(containerOf(worker, "worker")));
    if (result.kind !== "ok") throw new Error(result.kind === "error" ? result.message : result.kind);
    return result.config as Record<string, unknown>;
  };

  it("gives the worker an environment it reads, accepts and starts with", () => {
    const container = containerOf(worker, "worker");
    expect(envProblems(workerSpec, appEnv(container))).toEqual([]);
    const result = parseOptions(workerSpec, [], appEnv(container));
    expect(result.kind, result.kind === "error" ? result.message : "").toBe("ok");
  });

  it("mounts every worker secret from the Secret key the values name, never as a plain value", () => {
    const container = containerOf(worker, "worker");
    expect(secretSourcesOf(worker, container)).toEqual(WORKER_SECRETS[name]);
    for (const secretName of SECRET_VALUE_ENV)
      expect(
        container.env?.map((e) => e.name),
        secretName,
      ).not.toContain(secretName);
  });

  it("probes /healthz (liveness) and /readyz (readiness) on the port the worker listens on", () => {
    const container = containerOf(worker, "worker");
    const port = container.ports?.find((p) => p.name === "http");
    expect(port?.containerPort).toBe(workerConfig().httpPort);
    expect(container.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.startupProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
  });

  it("lets the worker drain: the grace period is longer than its shutdown timeout", () => {
    const grace = podTemplateOf(worker).spec.terminationGracePeriodSeconds ?? 30;
    expect(grace * 1000).toBeGreaterThan(workerConfig().shutdownTimeoutMs as number);
  });

  it("asks for the memory bench/results/memory.json measured for the worker's --max-running", () => {
    // The larger of the measured variants (throttle and durable pause), medians of resident memory.
    const memory = readJson<{
      summary: Record<string, { idleRss: { median: number }; perWorkflowRss: { median: number } }>;
    }>("bench/results/memory.json");
    const variants = Object.values(memory.summary);
    expect(variants.length).toBeGreaterThan(0);
    const idle = Math.max(...variants.map((v) => v.idleRss.median));
    const perWorkflow = Math.max(...variants.map((v) => v.perWorkflowRss.median));
    const needed = idle + perWorkflow * (workerConfig().maxRunning as number);
    const resources = containerOf(worker, "worker").resources;
    const request = bytesOf(resources?.requests?.memory ?? "0");
    expect(request, `requests.memory ${resources?.requests?.memory}`).toBeGreaterThanOrEqual(needed);
    expect(bytesOf(resources?.limits?.memory ?? "0")).toBeGreaterThanOrEqual(request);
  });

  it("runs every container as a non-root user, read-only, without capabilities or an API token", () => {
    for (const workload of manifests.filter((m) => m.kind === "Deployment" || m.kind === "Job")) {
      const pod = podTemplateOf(workload).spec as { automountServiceAccountToken?: boolean } & ReturnType<
        typeof podTemplateOf
      >["spec"];
      expect(pod.securityContext?.runAsNonRoot, workload.metadata.name).toBe(true);
      expect(pod.automountServiceAccountToken, workload.metadata.name).toBe(false);
      for (const container of pod.containers as (Container & { securityContext?: Record<string, unknown> })[])
        expect(container.securityContext, `${workload.metadata.name}/${container.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
    }
  });

  it("creates the topics in a hook Job before the workers start, with settings topic-setup accepts", async () => {
    const job = objectOf(manifests, "Job", "topic-setup");
    expect(job.metadata.annotations?.["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    const container = containerOf(job, "topic-setup");
    const spec = await specOf("@deletion/topic-setup");
    const env = appEnv(container);
    expect(envProblems(spec, env)).toEqual([]);
    const result = parseOptions(spec, [], env);
    expect(result.kind, result.kind === "error" ? result.message : "").toBe("ok");
    // The same topics and Kafka settings as the workers.
    const workerEnv = plainEnvOf(containerOf(worker, "worker"));
    for (const key of [
      "KAFKA_BROKERS",
      "KAFKA_SECURITY_PROTOCOL",
      "INPUT_TOPIC",
      "OUTPUT_TOPIC",
      "DEAD_LETTER_TOPIC",
    ])
      expect(env[key], key).toBe(workerEnv[key]);
    // The same TLS files; its own user and password, never the workers'.
    const kafkaSecrets = Object.entries(WORKER_SECRETS[name]).filter(([k]) => k.startsWith("KAFKA_"));
    expect(secretSourcesOf(job, container)).toEqual(
      Object.fromEntries(
        kafkaSecrets.map(([k, v]) =>
          k === "KAFKA_SASL_PASSWORD_FILE" ? [k, "batch-deletion-kafka-topic-setup/password"] : [k, v],
        ),
      ),
    );
    if (env.KAFKA_SECURITY_PROTOCOL?.startsWith("sasl_")) {
      expect(env.KAFKA_SASL_USERNAME).toBe("deletion-topic-setup");
      expect(workerEnv.KAFKA_SASL_USERNAME).toBe("deletion-worker");
    }
  });
});

describe("the Resonate server the chart runs", () => {
  it.each(["default", "secured"] as const)(
    "%s values: one replica, replaced with Recreate, the pinned image, storage URL from a Secret",
    (name) => {
      const manifests = render(VALUES_FILES[name]);
      const server = objectOf(manifests, "Deployment", "resonate");
      expect(server.spec).toMatchObject({ replicas: 1, strategy: { type: "Recreate" } });
      const container = containerOf(server, "resonate");
      expect(container.image).toBe(PINNED_IMAGES.resonate);
      expect(secretEnvOf(container)).toEqual({
        RESONATE_STORAGE__POSTGRES__URL:
          name === "secured"
            ? { name: "batch-deletion-resonate-postgres", key: "url" }
            : { name: "resonate-postgres", key: "url" },
      });
      const args = container.args ?? [];
      expect(args.join(" ")).not.toMatch(/postgres:\/\/|--storage-postgres-url/);
      const port = Number(args[args.indexOf("--server-port") + 1]);
      expect(container.ports?.find((p) => p.name === "http")?.containerPort).toBe(port);
      expect(container.livenessProbe?.httpGet).toEqual({ path: "/health", port: "http" });
      expect(container.readinessProbe?.httpGet).toEqual({ path: "/ready", port: "http" });
      // The workers reach it through its Service, on the same port.
      const service = objectOf(manifests, "Service", "resonate");
      const workerEnv = plainEnvOf(containerOf(objectOf(manifests, "Deployment", "worker"), "worker"));
      expect(workerEnv.RESONATE_URL).toBe(`http://${service.metadata.name}:${port}`);
      if (name === "secured") {
        const keyPath = args[args.indexOf("--auth-publickey") + 1] as string;
        expect(secretFileAt(podTemplateOf(server).spec, container, keyPath)).toEqual({
          secret: "batch-deletion-resonate-auth",
          key: "resonate-auth.pub",
          readOnly: true,
        });
      } else expect(args).not.toContain("--auth-publickey");
    },
  );

  it("is not run with external values: the workers use the external URL", () => {
    const manifests = render(VALUES_FILES.external);
    expect(manifests.some((m) => m.metadata.labels?.["app.kubernetes.io/component"] === "resonate")).toBe(
      false,
    );
    const env = plainEnvOf(containerOf(objectOf(manifests, "Deployment", "worker"), "worker"));
    expect(env.RESONATE_URL).toBe("https://resonate.example.internal:8001");
  });
});

describe("the worker's settings through the chart", () => {
  /** Not set by the chart: RESONATE_PID's default (hostname and pid) is unique per pod, and the
   * in-process network's cache does not apply (the chart always runs with a server). */
  const LEFT_TO_DEFAULT = new Set(["RESONATE_PID", "IN_PROCESS_FINISHED_KEPT"]);
  /** A render with every secret the worker can take. */
  const ALL_SECRETS = [
    "kafka.tls.clientCertSecret.name=kafka-client-tls",
    "resonate.payloadEncryption.oldKeysSecret.name=batch-deletion-payload-key",
    "worker.store.replicaDatabaseUrlSecret.name=batch-deletion-replica",
    // The replica's URL is read only when the replay lag is read there.
    "worker.extraEnv.REPLICA_LAG=replica",
    "worker.requestSignatureKeys[0].id=producer-1",
    "worker.requestSignatureKeys[0].secret=producer-keys",
    "worker.requestSignatureKeys[0].key=producer-1.pub",
    "worker.requestSigningKey.id=worker-1",
    "worker.requestSigningKey.secret.name=worker-signing-key",
  ];

  it("takes each secret from a Secret, as a file where the worker reads one, and refuses it in extraEnv", async () => {
    const spec = await specOf("@deletion/deletor-worker");
    const manifests = render(VALUES_FILES.secured, ALL_SECRETS);
    const container = containerOf(objectOf(manifests, "Deployment", "worker"), "worker");
    const plain = plainEnvOf(container);
    const fromSecrets = secretEnvOf(container);
    const names = new Set(Object.values(spec.options).flatMap((o) => (o.env ? [o.env] : [])));
    const secretOptions = Object.values(spec.options).filter((o) => o.secret && o.env);
    expect(secretOptions.length).toBeGreaterThan(0);
    for (const option of secretOptions) {
      const env = option.env as string;
      expect(plain[env], `${env} as a plain value`).toBeUndefined();
      if (names.has(`${env}_FILE`))
        expect(plain[`${env}_FILE`], `${env}_FILE`).toMatch(/^\/var\/run\/secrets\//);
      else expect(fromSecrets[env], `${env} from a Secret`).toBeDefined();
      const refused = helmTemplate([], [`worker.extraEnv.${env}=x`]);
      expect(refused.status, `worker.extraEnv.${env}`).not.toBe(0);
    }
    const result = parseOptions(spec, [], appEnv(container));
    expect(result.kind, result.kind === "error" ? result.message : "").toBe("ok");
  });

  it("checks signed requests with producers' public keys mounted from their Secret", () => {
    const worker = objectOf(render(VALUES_FILES.secured, ALL_SECRETS), "Deployment", "worker");
    const container = containerOf(worker, "worker");
    const keys = plainEnvOf(container).REQUEST_SIGNATURE_KEYS ?? "";
    const [id, path = ""] = keys.split("=");
    expect(id).toBe("producer-1");
    expect(secretFileAt(podTemplateOf(worker).spec, container, path)).toEqual({
      secret: "producer-keys",
      key: "producer-1.pub",
      readOnly: true,
    });
    expect(helmTemplate([], ["worker.extraEnv.REQUEST_SIGNATURE_KEYS=p=/x.pem"]).status).not.toBe(0);
  });

  it("reaches every other variable the worker reads: by a value of its own, or by worker.extraEnv", async () => {
    const spec = await specOf("@deletion/deletor-worker");
    const full = containerOf(
      objectOf(render(VALUES_FILES.secured, ALL_SECRETS), "Deployment", "worker"),
      "worker",
    );
    const rendered = new Set(full.env?.map((e) => e.name));
    const rest = Object.values(spec.options)
      .filter((o) => o.env && !o.secret && !o.env.endsWith("_FILE"))
      .map((o) => o.env as string)
      .filter((env) => !rendered.has(env) && !LEFT_TO_DEFAULT.has(env));
    expect(rest).toContain("SIM_SEED");
    const extra = containerOf(
      objectOf(
        render(
          [],
          rest.map((env) => `worker.extraEnv.${env}=x`),
        ),
        "Deployment",
        "worker",
      ),
      "worker",
    );
    expect(Object.keys(plainEnvOf(extra))).toEqual(expect.arrayContaining(rest));
    for (const env of envNamesOf(spec)) {
      if (env.endsWith("_FILE") && !rendered.has(env))
        throw new Error(`${env}: the chart mounts no file for it`);
    }
  });
});
