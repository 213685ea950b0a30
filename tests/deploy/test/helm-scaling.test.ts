import { beforeAll, describe, expect, it } from "vitest";
import { hasObject, type Manifest, objectOf, render, VALUES_FILES } from "../support/helm.js";
import { containerOf, plainEnvOf, podTemplateOf, secretFileAt } from "../support/kube-pod.js";

interface KafkaTrigger {
  type: string;
  metadata: Record<string, string>;
  authenticationRef?: { name: string };
}

interface NetworkPolicyRule {
  to?: Record<string, unknown>[];
  from?: Record<string, unknown>[];
  ports?: { port: number | string; protocol?: string }[];
}

const specOf = <T>(m: Manifest) => m.spec as T;
const componentLabels = (m: Manifest) => podTemplateOf(m).metadata.labels;
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("lag-based scaling with KEDA (secured values)", () => {
  let manifests: Manifest[];
  let worker: Manifest;
  beforeAll(() => {
    manifests = render(VALUES_FILES.secured);
    worker = objectOf(manifests, "Deployment", "worker");
  });

  it("scales the worker Deployment between 1+ and the request topic's partitions, idle consumers off", () => {
    const scaled = specOf<{
      scaleTargetRef: { name: string };
      minReplicaCount: number;
      maxReplicaCount: number;
      triggers: KafkaTrigger[];
    }>(objectOf(manifests, "ScaledObject", "worker"));
    const topicSetup = plainEnvOf(containerOf(objectOf(manifests, "Job", "topic-setup"), "topic-setup"));
    expect(scaled.scaleTargetRef.name).toBe(worker.metadata.name);
    expect(scaled.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(scaled.maxReplicaCount).toBeLessThanOrEqual(Number(topicSetup.TOPIC_PARTITIONS));
    // KEDA owns the replica count.
    expect(specOf<{ replicas?: number }>(worker).replicas).toBeUndefined();
    const [trigger] = scaled.triggers;
    expect(trigger?.type).toBe("kafka");
    expect(trigger?.metadata).toMatchObject({ allowIdleConsumers: "false", offsetResetPolicy: "earliest" });
    expect(Number(trigger?.metadata.lagThreshold)).toBeGreaterThan(0);
    expect(trigger?.metadata.activationLagThreshold).toMatch(/^\d+$/);
  });

  it("watches the lag of the workers' own group on their own topic and brokers, with their credentials", () => {
    const scaled = specOf<{ triggers: KafkaTrigger[] }>(objectOf(manifests, "ScaledObject", "worker"));
    const trigger = scaled.triggers[0] as KafkaTrigger;
    const container = containerOf(worker, "worker");
    const env = plainEnvOf(container);
    expect(trigger.metadata).toMatchObject({
      bootstrapServers: env.KAFKA_BROKERS,
      consumerGroup: env.KAFKA_GROUP_ID,
      topic: env.INPUT_TOPIC,
      sasl: "scram_sha512",
      tls: "enable",
    });
    const auth = objectOf(manifests, "TriggerAuthentication", "worker");
    expect(trigger.authenticationRef?.name).toBe(auth.metadata.name);
    const spec = specOf<{
      env: { parameter: string; name: string; containerName: string }[];
      secretTargetRef: { parameter: string; name: string; key: string }[];
    }>(auth);
    expect(spec.env).toEqual([
      { parameter: "username", name: "KAFKA_SASL_USERNAME", containerName: "worker" },
    ]);
    const pod = podTemplateOf(worker).spec;
    const mounted = (envName: string) => {
      const file = secretFileAt(pod, container, env[envName] as string);
      return { name: file?.secret, key: file?.key };
    };
    expect(spec.secretTargetRef).toEqual([
      { parameter: "password", ...mounted("KAFKA_SASL_PASSWORD_FILE") },
      { parameter: "ca", ...mounted("KAFKA_SSL_CA_FILE") },
    ]);
  });
});

describe.each(["default", "secured", "external"] as const)(
  "the workers' placement and disruption (%s values)",
  (name) => {
    let manifests: Manifest[];
    let worker: Manifest;
    beforeAll(() => {
      manifests = render(VALUES_FILES[name]);
      worker = objectOf(manifests, "Deployment", "worker");
    });

    it("lets evictions take one worker at a time (PodDisruptionBudget over the worker pods)", () => {
      const pdb = specOf<{ maxUnavailable: number; selector: { matchLabels: Record<string, string> } }>(
        objectOf(manifests, "PodDisruptionBudget", "worker"),
      );
      expect(pdb.maxUnavailable).toBe(1);
      expect(selects(pdb.selector.matchLabels, componentLabels(worker))).toBe(true);
      for (const other of manifests.filter((m) => m.kind === "Deployment" && m !== worker))
        expect(selects(pdb.selector.matchLabels, componentLabels(other)), other.metadata.name).toBe(false);
    });

    it("spreads workers over nodes and zones, and replaces all of them at once on an upgrade", () => {
      const spread = podTemplateOf(worker).spec.topologySpreadConstraints ?? [];
      expect(spread.map((c) => c.topologyKey)).toEqual([
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
      ]);
      for (const c of spread)
        expect(selects(c.labelSelector?.matchLabels ?? {}, componentLabels(worker))).toBe(true);
      // Workers of one Resonate group run one version (docs/kubernetes.md, upgrades).
      expect(specOf<{ strategy: { type: string } }>(worker).strategy.type).toBe("Recreate");
    });
  },
);

describe("NetworkPolicies: each pod reaches exactly what it talks to", () => {
  const policyFor = (manifests: Manifest[], component: string) =>
    specOf<{
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: NetworkPolicyRule[];
      egress: NetworkPolicyRule[];
    }>(objectOf(manifests, "NetworkPolicy", component));
  const portsOf = (rules: NetworkPolicyRule[]) => rules.flatMap((r) => (r.ports ?? []).map((p) => p.port));

  it("secured: workers reach DNS, the brokers, the Resonate server and the database, and are reached by the scraper only", () => {
    const manifests = render(VALUES_FILES.secured);
    const worker = objectOf(manifests, "Deployment", "worker");
    const server = objectOf(manifests, "Deployment", "resonate");
    const policy = policyFor(manifests, "worker");
    expect(selects(policy.podSelector.matchLabels, componentLabels(worker))).toBe(true);
    expect(policy.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(policy.egress).toHaveLength(4);
    expect(portsOf(policy.egress)).toEqual([53, 53, 9093, 8001, 5432]);
    const toServer = policy.egress[2]?.to?.[0] as { podSelector: { matchLabels: Record<string, string> } };
    expect(selects(toServer.podSelector.matchLabels, componentLabels(server))).toBe(true);
    expect(policy.ingress).toHaveLength(1);
    expect(portsOf(policy.ingress)).toEqual(["http"]);
    const serverPolicy = policyFor(manifests, "resonate");
    expect(portsOf(serverPolicy.ingress)).toEqual(["http", "metrics"]);
    expect(portsOf(serverPolicy.egress)).toEqual([53, 53, 5432]);
    expect(portsOf(policyFor(manifests, "topic-setup").egress)).toEqual([53, 53, 9093]);
    expect(policyFor(manifests, "topic-setup").ingress).toEqual([]);
  });

  it("external: the external server's and database's addresses, no server of the chart's", () => {
    const manifests = render(VALUES_FILES.external);
    const policy = policyFor(manifests, "worker");
    expect(portsOf(policy.egress)).toEqual([53, 53, 9094, 8001, 5432]);
    expect(policy.egress.map((r) => r.to?.[0])).toEqual([
      expect.objectContaining({ namespaceSelector: expect.anything() }),
      { ipBlock: { cidr: "10.20.0.0/24" } },
      { ipBlock: { cidr: "10.40.0.0/28" } },
      { ipBlock: { cidr: "10.30.0.10/32" } },
    ]);
    expect(hasObject(manifests, "NetworkPolicy", "resonate")).toBe(false);
  });

  it("default: the simulated store reaches no database", () => {
    const manifests = render(VALUES_FILES.default);
    expect(portsOf(policyFor(manifests, "worker").egress)).toEqual([53, 53, 9093, 8001]);
  });
});

describe("ServiceMonitors (secured values)", () => {
  it("scrape the ports the worker and server Services name, at /metrics", () => {
    const manifests = render(VALUES_FILES.secured);
    for (const component of ["worker", "resonate"]) {
      const monitor = specOf<{
        selector: { matchLabels: Record<string, string> };
        endpoints: { port: string; path: string }[];
      }>(objectOf(manifests, "ServiceMonitor", component));
      const service = objectOf(manifests, "Service", component);
      const serviceSpec = specOf<{ ports: { name: string }[] }>(service);
      expect(selects(monitor.selector.matchLabels, service.metadata.labels ?? {})).toBe(true);
      for (const endpoint of monitor.endpoints) {
        expect(endpoint.path).toBe("/metrics");
        expect(serviceSpec.ports.map((p) => p.name)).toContain(endpoint.port);
      }
    }
  });
});
