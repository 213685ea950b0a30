import type { RecordStatus } from "@deletion/deletion-status";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";

/** Where one record's deletion stands, read from the Resonate server (and the store, when set). */
export function RecordView({ recordId, open }: { recordId: string; open: (recordId: string) => void }) {
  const [input, setInput] = useState(recordId);
  const [status, setStatus] = useState<RecordStatus | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);

  const load = async () => {
    if (!recordId) return;
    setLoading(true);
    try {
      setStatus(await api.get<RecordStatus>(`/api/records/${encodeURIComponent(recordId)}`));
      setError(undefined);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, [recordId]);

  return (
    <section aria-labelledby="record-title">
      <h2 id="record-title">A record</h2>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (input.trim() === recordId) void load();
          else open(input.trim());
        }}
      >
        <label for="record-id">Record id</label>
        <input
          id="record-id"
          value={input}
          onInput={(e) => setInput((e.target as HTMLInputElement).value)}
          required
        />
        <button class="primary" type="submit" disabled={loading}>
          {loading ? "Looking…" : "Look up"}
        </button>
      </form>
      {error && (
        <p class="banner" role="alert">
          {error}
        </p>
      )}
      {status && <Facts status={status} />}
    </section>
  );
}

function Facts({ status }: { status: RecordStatus }) {
  const rows: [string, string][] = [["state", status.state]];
  if ("attempt" in status) rows.push(["attempt", String(status.attempt)]);
  if ("softDeleted" in status) rows.push(["soft-deleted", status.softDeleted ? "yes" : "not yet"]);
  if ("batches" in status) rows.push(["batches", String(status.batches)]);
  if ("rowsDeleted" in status) rows.push(["rows deleted", String(status.rowsDeleted)]);
  if (status.state === "done") {
    if (status.completedAt) rows.push(["completed at", status.completedAt]);
    rows.push([
      "request",
      `${status.source.topic} partition ${status.source.partition} offset ${status.source.offset}`,
    ]);
  }
  if (status.state === "failed") {
    rows.push(["reason", status.reason]);
    if (status.failedAt) rows.push(["failed at", status.failedAt]);
    rows.push([
      "request",
      `${status.source.topic} partition ${status.source.partition} offset ${status.source.offset}`,
    ]);
    rows.push(["to retry", status.retry]);
  }
  if (status.state === "foreign" || status.state === "unreachable") rows.push(["reason", status.reason]);
  if (status.state === "accepted" && status.progressUnknown) rows.push(["progress", status.progressUnknown]);
  const store = "store" in status ? status.store : undefined;
  if (store) rows.push(["soft-deleted at", store.deletedAt ?? "not soft-deleted"]);
  return (
    <>
      <dl class="facts" data-testid="record-facts" data-state={status.state}>
        {rows.flatMap(([k, v]) => [
          <dt key={`${k}-t`}>{k}</dt>,
          <dd key={`${k}-d`} data-fact={k}>
            {v}
          </dd>,
        ])}
      </dl>
      {store && (
        <div class="table-wrap">
          <table>
            <caption>Rows left per table</caption>
            <thead>
              <tr>
                <th scope="col">table</th>
                <th scope="col">rows left</th>
              </tr>
            </thead>
            <tbody>
              {store.remaining.map((r) => (
                <tr key={r.table}>
                  <td>{r.table}</td>
                  <td>{r.rows}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
