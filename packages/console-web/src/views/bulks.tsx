import type { BulkSubmitAnswer, Snapshot } from "@deletion/console-server/view";
import type { BulkStatus } from "@deletion/deletion-status";
import { useState } from "preact/hooks";
import { api } from "../api.js";

const eta = (seconds: number | undefined) =>
  seconds === undefined ? "–" : seconds < 90 ? `${Math.ceil(seconds)} s` : `${Math.ceil(seconds / 60)} min`;

/** "a=1\nb=2" -> { a: "1", b: "2" } */
function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const line of text.split(/\n|,/).map((l) => l.trim())) {
    if (line === "") continue;
    const at = line.indexOf("=");
    if (at <= 0) throw new Error(`"${line}" is not name=value`);
    params[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return params;
}

/** Bulk deletions: submit one (selector or id list), and each one's progress, rate, ETA and cancel. */
export function Bulks({ snapshot }: { snapshot: Snapshot | undefined }) {
  const [mode, setMode] = useState<"selector" | "ids">("selector");
  const [selector, setSelector] = useState("");
  const [params, setParams] = useState("");
  const [ids, setIds] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | undefined>();
  if (!snapshot) return <p>Waiting for the first update…</p>;
  if (snapshot.bulks === null)
    return <p>Bulk deletion is off: the bulk request topic does not exist on this broker.</p>;

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setMessage(undefined);
    try {
      const body =
        mode === "ids"
          ? { ids: ids.split(/[\s,]+/).filter((id) => id !== "") }
          : { selector: selector.trim(), params: parseParams(params) };
      const answer = await api.post<BulkSubmitAnswer>("/api/bulks", body);
      setMessage({
        error: false,
        text: `Submitted ${answer.bulkIds.join(", ")}: ${answer.softDeleted} record(s) soft-deleted so far.`,
      });
    } catch (e) {
      setMessage({ error: true, text: `Submit failed: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      setBusy(false);
    }
  };
  const upload = async (event: Event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) setIds(await file.text());
  };
  const cancel = async (bulk: BulkStatus) => {
    if (!confirm(`Cancel bulk ${bulk.bulkId}? Records already requested still finish.`)) return;
    try {
      await api.post(`/api/bulks/${encodeURIComponent(bulk.bulkId)}/cancel`, { restore: false });
      setMessage({ error: false, text: `Cancel requested for ${bulk.bulkId}.` });
    } catch (e) {
      setMessage({ error: true, text: `Cancel failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  };

  return (
    <section aria-labelledby="bulks-title">
      <h2 id="bulks-title">Bulk deletions</h2>
      <form onSubmit={submit} data-testid="bulk-form">
        <fieldset>
          <legend>Submit a bulk deletion</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === "selector"}
              onChange={() => setMode("selector")}
            />{" "}
            by selector
          </label>{" "}
          <label>
            <input type="radio" name="mode" checked={mode === "ids"} onChange={() => setMode("ids")} /> by
            record ids
          </label>
          {mode === "selector" ? (
            <p class="inline">
              <label for="bulk-selector">Selector</label>
              <input
                id="bulk-selector"
                required
                value={selector}
                onInput={(e) => setSelector((e.target as HTMLInputElement).value)}
              />
              <label for="bulk-params">Parameters (name=value, one a line)</label>
              <textarea
                id="bulk-params"
                rows={2}
                value={params}
                onInput={(e) => setParams((e.target as HTMLTextAreaElement).value)}
              />
            </p>
          ) : (
            <p>
              <label for="bulk-ids">Record ids (one a line, or comma-separated)</label>
              <br />
              <textarea
                id="bulk-ids"
                rows={4}
                cols={40}
                required
                value={ids}
                onInput={(e) => setIds((e.target as HTMLTextAreaElement).value)}
              />
              <br />
              <label for="bulk-file">or upload a file of ids</label>{" "}
              <input id="bulk-file" type="file" onChange={upload} />
            </p>
          )}
          <button class="primary" type="submit" disabled={busy}>
            {busy ? "Submitting…" : "Submit"}
          </button>
        </fieldset>
      </form>
      {message && (
        <p class={message.error ? "banner" : "banner notice"} role="status" data-testid="bulk-outcome">
          {message.text}
        </p>
      )}
      <div class="table-wrap">
        <table data-testid="bulks">
          <caption>Recent bulk deletions (newest first)</caption>
          <thead>
            <tr>
              <th scope="col">bulk</th>
              <th scope="col">state</th>
              <th scope="col">progress (done + failed of matched)</th>
              <th scope="col">soft-deleted</th>
              <th scope="col">requested</th>
              <th scope="col">done</th>
              <th scope="col">failed</th>
              <th scope="col">rate</th>
              <th scope="col">ETA</th>
              <th scope="col">action</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.bulks.length === 0 && (
              <tr>
                <td colSpan={10}>no bulk deletion seen yet</td>
              </tr>
            )}
            {snapshot.bulks.map((b) => (
              <tr key={b.bulkId} data-bulk-id={b.bulkId} data-state={b.state}>
                <td>{b.bulkId}</td>
                <td>
                  {b.state}
                  {b.phase && b.state === "running" ? ` (${b.phase})` : ""}
                  {b.cancelRequested ? ", cancel requested" : ""}
                  {b.error ? <div class="muted">{b.error}</div> : null}
                </td>
                <td>
                  <progress max={Math.max(b.matched, 1)} value={b.done + b.failed} />{" "}
                  <span data-testid="bulk-progress">
                    {b.done + b.failed}/{b.matched}
                  </span>
                </td>
                <td>{b.softDeleted}</td>
                <td>{b.requested}</td>
                <td>{b.done}</td>
                <td>{b.failed}</td>
                <td>{b.recordsPerSecond === undefined ? "–" : `${b.recordsPerSecond.toFixed(1)}/s`}</td>
                <td>{b.state === "running" ? eta(b.etaSeconds) : "–"}</td>
                <td>
                  {b.state === "running" && !b.cancelRequested && (
                    <button type="button" onClick={() => cancel(b)}>
                      Cancel
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
