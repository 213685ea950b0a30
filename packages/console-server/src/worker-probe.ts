import type { WorkerHealth } from "./view.js";

export type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<Response>;

const IN_FLIGHT = /^deletor_in_flight(?:\{[^}]*\})?\s+(\S+)/m;

/**
 * One worker's health from its open endpoints: /readyz (200 ready, 503 not) and the in-flight
 * gauge of /metrics. A worker that does not answer is shown with the reason, not dropped.
 */
export async function probeWorker(
  url: string,
  options: { fetch: Fetch; timeoutMs: number; now: () => number },
): Promise<WorkerHealth> {
  const base = url.replace(/\/+$/, "");
  const checkedAt = new Date(options.now()).toISOString();
  try {
    const ready = await options.fetch(`${base}/readyz`, { signal: AbortSignal.timeout(options.timeoutMs) });
    const body = (await ready.json().catch(() => ({}))) as { assignedPartitions?: unknown };
    let inFlight: number | null = null;
    const metrics = await options
      .fetch(`${base}/metrics`, { signal: AbortSignal.timeout(options.timeoutMs) })
      .then((r) => (r.ok ? r.text() : ""))
      .catch(() => "");
    const match = IN_FLIGHT.exec(metrics);
    if (match?.[1] !== undefined && Number.isFinite(Number(match[1]))) inFlight = Number(match[1]);
    return {
      url: base,
      ready: ready.status === 200,
      assignedPartitions: typeof body.assignedPartitions === "number" ? body.assignedPartitions : null,
      inFlight,
      checkedAt,
      error: ready.status === 200 || ready.status === 503 ? null : `/readyz answered ${ready.status}`,
    };
  } catch (error) {
    return {
      url: base,
      ready: null,
      assignedPartitions: null,
      inFlight: null,
      checkedAt,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
