import type { Snapshot } from "@deletion/console-server/view";

const num = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n.toLocaleString("en"));

function Card({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div class="card">
      <div class="value" data-testid={testId}>
        {value}
      </div>
      <div class="label">{label}</div>
    </div>
  );
}

/** Health in words as well as a mark, so it reads without colour. */
export function Health({ ok }: { ok: boolean | null }) {
  if (ok === null) return <span class="state-unknown">unknown</span>;
  return ok ? <span class="state-ok">ready</span> : <span class="state-bad">not ready</span>;
}

export function Overview({ snapshot }: { snapshot: Snapshot | undefined }) {
  if (!snapshot) return <p>Waiting for the first update…</p>;
  const { completions, deadLetters, lag, workers } = snapshot;
  const reasons = Object.entries(deadLetters.byReason);
  return (
    <section aria-labelledby="overview-title">
      <h2 id="overview-title">Overview</h2>
      <div class="cards">
        <Card label="requests in flight" value={num(snapshot.inFlight)} testId="in-flight" />
        <Card label="completions" value={num(completions.total)} testId="completions-total" />
        <Card label="completions in the last minute" value={num(completions.perMinute)} testId="per-minute" />
        <Card label="dead letters" value={num(deadLetters.total)} testId="dead-letters-total" />
        <Card label="consumer-group lag" value={num(lag.total)} testId="lag-total" />
      </div>
      <div class="grid2">
        <div class="table-wrap">
          <table data-testid="reasons">
            <caption>Dead letters by reason</caption>
            <thead>
              <tr>
                <th scope="col">reason</th>
                <th scope="col">count</th>
              </tr>
            </thead>
            <tbody>
              {reasons.length === 0 && (
                <tr>
                  <td colSpan={2}>none</td>
                </tr>
              )}
              {reasons.map(([reason, count]) => (
                <tr key={reason}>
                  <td>{reason}</td>
                  <td>{num(count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="table-wrap">
          <table data-testid="lag">
            <caption>
              Lag of group {lag.group} on {lag.topic}
            </caption>
            <thead>
              <tr>
                <th scope="col">partition</th>
                <th scope="col">committed</th>
                <th scope="col">end</th>
                <th scope="col">lag</th>
              </tr>
            </thead>
            <tbody>
              {lag.partitions.map((p) => (
                <tr key={p.partition}>
                  <td>{p.partition}</td>
                  <td>{p.committed ?? "none"}</td>
                  <td>{p.end}</td>
                  <td>{num(p.lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="table-wrap">
          <table data-testid="workers">
            <caption>Workers</caption>
            <thead>
              <tr>
                <th scope="col">worker</th>
                <th scope="col">health</th>
                <th scope="col">partitions</th>
                <th scope="col">in flight</th>
              </tr>
            </thead>
            <tbody>
              {workers.length === 0 && (
                <tr>
                  <td colSpan={4}>no worker URLs configured (CONSOLE_WORKER_URLS)</td>
                </tr>
              )}
              {workers.map((w) => (
                <tr key={w.url}>
                  <td>{w.url}</td>
                  <td>
                    <Health ok={w.ready} />
                    {w.error && <div class="muted">{w.error}</div>}
                  </td>
                  <td>{num(w.assignedPartitions)}</td>
                  <td>{num(w.inFlight)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div class="table-wrap">
          <table data-testid="recent-completions">
            <caption>Latest completions</caption>
            <thead>
              <tr>
                <th scope="col">record</th>
                <th scope="col">attempt</th>
                <th scope="col">batches</th>
                <th scope="col">rows</th>
                <th scope="col">request</th>
              </tr>
            </thead>
            <tbody>
              {completions.recent.slice(0, 10).map((c) => (
                <tr key={`${c.recordId}/${c.attempt}/${c.completedAt}`}>
                  <td>
                    <a href={`#/record/${encodeURIComponent(c.recordId)}`}>{c.recordId}</a>
                  </td>
                  <td>{c.attempt}</td>
                  <td>{c.batches}</td>
                  <td>{num(c.rowsDeleted)}</td>
                  <td>
                    {c.requestPartition}/{c.requestOffset}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
