import { posix } from "node:path";
import type { Manifest } from "./helm.js";

/** The parts of a pod template the tests read (the validator has checked the full types). */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}

interface SecretProjection {
  name: string;
  items?: { key: string; path: string }[];
}

export interface Volume {
  name: string;
  projected?: { sources: { secret?: SecretProjection }[] };
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  emptyDir?: object;
}

export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: {
    topologyKey: string;
    labelSelector?: { matchLabels?: Record<string, string> };
  }[];
  securityContext?: Record<string, unknown>;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}

export const podTemplateOf = (workload: Manifest): PodTemplate =>
  (workload.spec as { template: PodTemplate }).template;

export function containerOf(workload: Manifest, name: string): Container {
  const found = podTemplateOf(workload).spec.containers.find((c) => c.name === name);
  if (!found) throw new Error(`${workload.kind}/${workload.metadata.name} has no container ${name}`);
  return found;
}

/** A container's plain environment, as an app would see it (variables from Secrets left out). */
export const plainEnvOf = (container: Container): Record<string, string> =>
  Object.fromEntries(
    (container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]),
  );

/** Variables taken from a Secret's key: name → {secret, key}. */
export const secretEnvOf = (container: Container): Record<string, { name: string; key: string }> =>
  Object.fromEntries(
    (container.env ?? []).flatMap((e) =>
      e.valueFrom?.secretKeyRef ? [[e.name, e.valueFrom.secretKeyRef]] : [],
    ),
  );

export interface MountedSecretFile {
  secret: string;
  key: string;
  readOnly: boolean;
}

/**
 * Which Secret key a file path in the container holds, following its mounts to Secret and
 * projected volumes; undefined when no mounted Secret puts a file there.
 */
export function secretFileAt(
  pod: PodSpec,
  container: Container,
  path: string,
): MountedSecretFile | undefined {
  for (const mount of container.volumeMounts ?? []) {
    const relative = posix.relative(mount.mountPath, path);
    if (relative.startsWith("..") || posix.isAbsolute(relative)) continue;
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    const projections: SecretProjection[] = [
      ...(volume?.projected?.sources ?? []).flatMap((s) => (s.secret ? [s.secret] : [])),
      ...(volume?.secret ? [{ name: volume.secret.secretName, items: volume.secret.items }] : []),
    ];
    for (const projection of projections) {
      const item = projection.items?.find((i) => i.path === relative);
      if (item) return { secret: projection.name, key: item.key, readOnly: mount.readOnly === true };
    }
  }
  return undefined;
}

/** Kubernetes quantities in bytes (the binary and decimal suffixes the chart may use). */
export function bytesOf(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!match) throw new Error(`cannot read the quantity ${quantity}`);
  const factor: Record<string, number> = {
    "": 1,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Number(match[1]) * (factor[match[2] ?? ""] as number);
}
