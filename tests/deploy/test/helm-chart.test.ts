import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  CHART_DIR,
  chartDependencies,
  chartWithStandIns,
  HELM_VERSION,
  helm,
  helmLint,
  helmTemplate,
  kubernetesVersion,
  VALUES_FILES,
  type ValuesName,
  validateManifests,
  validatorBinary,
} from "../support/helm.js";
import { readText, repoPath } from "../support/repo.js";

const NAMES = Object.keys(VALUES_FILES) as ValuesName[];

// The first build of the validator fetches its modules and compiles the API types: minutes, once.
beforeAll(() => {
  validatorBinary();
}, 600_000);

describe(`the Helm chart (${CHART_DIR})`, () => {
  it(`is checked with helm ${HELM_VERSION}`, () => {
    const run = helm(["version", "--short"]);
    expect(run.stdout.trim()).toMatch(new RegExp(`^${HELM_VERSION}\\b`));
  });

  it("declares Redpanda and PostgreSQL as dependencies that are off by default", () => {
    const values = parse(readText(CHART_DIR, "values.yaml")) as Record<string, { enabled?: boolean }>;
    expect(chartDependencies().map((d) => [d.name, d.condition])).toEqual([
      ["redpanda", "redpanda.enabled"],
      ["postgresql", "postgresql.enabled"],
    ]);
    for (const dep of chartDependencies()) expect(values[dep.name]?.enabled, dep.name).toBe(false);
  });

  it("passes helm lint as it is in the repository, missing only its disabled dependencies", () => {
    const run = helmLint(repoPath(CHART_DIR), [], false);
    const output = run.stdout + run.stderr;
    expect(run.status, output).toBe(0);
    expect(output).not.toMatch(/\[ERROR\]/);
    const warnings = output.split("\n").filter((line) => line.includes("[WARNING]"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/missing these dependencies: redpanda,postgresql$/);
  });

  it.each(NAMES)("passes helm lint --strict with the %s values (dependencies present, disabled)", (name) => {
    const run = helmLint(chartWithStandIns(), VALUES_FILES[name], true);
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it.each(NAMES)(
    "renders the %s values into manifests the Kubernetes, KEDA and Prometheus Operator types accept",
    (name) => {
      const run = helmTemplate(VALUES_FILES[name]);
      expect(run.status, run.stderr).toBe(0);
      const report = validateManifests(run.stdout);
      expect(report.problems).toEqual([]);
      expect(report.schemas["k8s.io/api"]).toBe(`v0.${kubernetesVersion().split(".").slice(1).join(".")}`);
      expect(report.schemas["github.com/kedacore/keda/v2"]).toBe("v2.21.0");
      const kinds = new Set(report.objects.map((o) => o.kind));
      for (const kind of ["Deployment", "Service", "Job", "PodDisruptionBudget", "NetworkPolicy"])
        expect(kinds, `${name}: ${kind}`).toContain(kind);
      if (name === "secured")
        for (const kind of ["ScaledObject", "TriggerAuthentication", "ServiceMonitor"])
          expect(kinds).toContain(kind);
    },
  );
});

/** The validator must refuse what the API server or KEDA would, or the check above proves nothing. */
describe("the manifest validator", () => {
  const deployment = (extra: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: w, labels: { app: w } }
spec:
  selector: { matchLabels: { app: w } }
  template:
    metadata: { labels: { app: w } }
    spec:
      containers:
        - name: worker
          image: worker:1
          ports: [{ name: http, containerPort: 9464 }]
          readinessProbe: { httpGet: { path: /readyz, port: http } }
${extra}`;

  it("accepts a valid Deployment", () => {
    expect(validateManifests(deployment("")).problems).toEqual([]);
  });

  it("refuses unknown fields, wrong types, a probe on a port that is not declared and a kind it does not know", () => {
    const problems = validateManifests(
      [
        deployment("          livenesProbe: { httpGet: { path: /healthz, port: http } }"),
        deployment("          resources: { limits: { memory: lots } }"),
        deployment("          livenessProbe: { httpGet: { path: /healthz, port: metrics } }"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: x }\n",
      ].join("\n---\n"),
    ).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/unknown field "spec.template.spec.containers\[0\].livenesProbe"/);
    expect(problems[1]).toMatch(/quantities must match/);
    expect(problems[2]).toMatch(/no port named "metrics"/);
    expect(problems[3]).toMatch(/Widget.*not a kind of the schemas checked/);
  });

  it("refuses a ScaledObject KEDA would refuse: bounds, a misspelt Kafka setting, a target not rendered", () => {
    const problems = validateManifests(`
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: s }
spec:
  scaleTargetRef: { name: missing }
  minReplicaCount: 4
  maxReplicaCount: 2
  triggers:
    - type: kafka
      metadata: { bootstrapServers: "k:9092", consumerGroup: g, topic: t, lagTreshold: "5" }
`).problems;
    expect(problems.join("\n")).toMatch(/MinReplicaCount=4 must be less than MaxReplicaCount=2/);
    expect(problems.join("\n")).toMatch(/metadata\.lagTreshold: not a setting of KEDA's kafka scaler/);
    expect(problems.join("\n")).toMatch(/scaleTargetRef names Deployment "missing", which is not rendered/);
  });
});

describe("settings the chart refuses to render", () => {
  const refused = (set: string[]) => {
    const run = helmTemplate([], set);
    expect(run.status).not.toBe(0);
    return run.stderr;
  };

  it("more autoscaled workers than request partitions", () => {
    expect(refused(["autoscaling.enabled=true", "autoscaling.maxReplicas=7", "topics.partitions=6"])).toMatch(
      /autoscaling.maxReplicas \(7\) must not exceed topics.partitions \(6\)/,
    );
  });

  it("a grace period no longer than the worker's shutdown timeout", () => {
    expect(refused(["worker.terminationGracePeriodSeconds=15", "worker.shutdownTimeoutMs=15000"])).toMatch(
      /worker.terminationGracePeriodSeconds \(15 s\) must be longer than worker.shutdownTimeoutMs/,
    );
  });

  it("scaling to zero workers, and a secret given as a plain value (values.schema.json)", () => {
    expect(refused(["autoscaling.minReplicas=0"])).toMatch(
      /\/autoscaling\/minReplicas': minimum: got 0, want 1/,
    );
    expect(refused(["worker.extraEnv.KAFKA_SASL_PASSWORD=hunter2"])).toMatch(
      /invalid propertyName 'KAFKA_SASL_PASSWORD'/,
    );
    expect(refused(["resonate.server.image.tag=latest"])).toMatch(/\/resonate\/server\/image\/tag/);
  });

  it("SASL without a password Secret, encryption without a key, the postgres store without its URL", () => {
    expect(refused(["kafka.securityProtocol=sasl_ssl"])).toMatch(
      /kafka.sasl.users.worker.passwordSecret.name is required/,
    );
    expect(
      refused(["kafka.securityProtocol=sasl_ssl", "kafka.sasl.users.worker.passwordSecret.name=w"]),
    ).toMatch(/kafka.sasl.users.topicSetup.passwordSecret.name is required/);
    const bothSecrets = [
      "kafka.securityProtocol=sasl_ssl",
      "kafka.sasl.users.worker.passwordSecret.name=w",
      "kafka.sasl.users.topicSetup.passwordSecret.name=t",
    ];
    expect(refused([...bothSecrets, "kafka.sasl.users.topicSetup.username=deletion-worker"])).toMatch(
      /name the same user: each app needs its own/,
    );
    expect(refused(["worker.requestSigningKey.id=w1"])).toMatch(
      /worker.requestSigningKey.id and worker.requestSigningKey.secret.name go together/,
    );
    expect(refused(["resonate.payloadEncryption.mode=aes-256-gcm"])).toMatch(
      /resonate.payloadEncryption.keySecret.name is required/,
    );
    expect(refused(["worker.store.kind=postgres"])).toMatch(
      /worker.store.databaseUrlSecret.name is required/,
    );
  });
});
