/** Requests the server has answered so far, per request kind (`promise.create`, `task.fence`, ...). */
export type ResonateRequestCounts = Map<string, number>;

const REQUEST_TOTAL = /^resonate_request_total\{([^}]*)\}\s+(\S+)$/;
const KIND_LABEL = /(?:^|,)kind="([^"]*)"/;

/** Parses the server's Prometheus text into counts per kind (other labels summed). */
export function parseResonateRequests(text: string): ResonateRequestCounts {
  const counts: ResonateRequestCounts = new Map();
  for (const line of text.split("\n")) {
    const match = REQUEST_TOTAL.exec(line.trim());
    const kind = match?.[1] ? KIND_LABEL.exec(match[1])?.[1] : undefined;
    if (!match || kind === undefined) continue;
    counts.set(kind, (counts.get(kind) ?? 0) + Number(match[2]));
  }
  return counts;
}

/** Reads `resonate_request_total` from the server's metrics endpoint. */
export async function scrapeResonateRequests(metricsUrl: string): Promise<ResonateRequestCounts> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${metricsUrl} answered HTTP ${response.status}`);
  return parseResonateRequests(await response.text());
}
