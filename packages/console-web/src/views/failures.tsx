import type { DeadLetterRow, RedriveAnswer, Snapshot } from "@deletion/console-server/view";
import { useState } from "preact/hooks";
import { api } from "../api.js";

type Outcome = { kind: "ok" | "error"; text: string };

/** Dead letters by reason, each listed one with re-drive, and re-drive of all of a reason. */
export function Failures({
  snapshot,
  openRecord,
}: {
  snapshot: Snapshot | undefined;
  openRecord: (recordId: string) => void;
}) {
  const [busy, setBusy] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  if (!snapshot) return <p>Waiting for the first update…</p>;

  const run = async (key: string, body: unknown, confirmText?: string) => {
    if (confirmText && !confirm(confirmText)) return;
    setBusy(key);
    setOutcome(undefined);
    try {
      const answer = await api.post<RedriveAnswer>("/api/redrive", body);
      const ids = answer.recordIds.join(", ");
      setOutcome({
        kind: "ok",
        text: `Re-published ${answer.republished} request(s)${ids ? `: ${ids}` : ""}.${answer.note ? ` ${answer.note}` : ""}`,
      });
    } catch (e) {
      setOutcome({ kind: "error", text: `Re-drive failed: ${e instanceof Error ? e.message : String(e)}` });
    } finally {
      setBusy(undefined);
    }
  };

  const reasons = Object.entries(snapshot.deadLetters.byReason);
  return (
    <section aria-labelledby="failures-title">
      <h2 id="failures-title">Failures</h2>
      <p class="muted">
        Re-drive publishes the dead letter's request again as a fresh request, as the redrive command does: a
        record whose last attempt failed gets a new attempt; one that completed is only reported.
      </p>
      {outcome && (
        <p
          class={outcome.kind === "error" ? "banner" : "banner notice"}
          role="status"
          data-testid="redrive-outcome"
        >
          {outcome.text}
        </p>
      )}
      <div class="table-wrap">
        <table data-testid="failure-reasons">
          <caption>Dead letters by reason</caption>
          <thead>
            <tr>
              <th scope="col">reason</th>
              <th scope="col">count</th>
              <th scope="col">action</th>
            </tr>
          </thead>
          <tbody>
            {reasons.length === 0 && (
              <tr>
                <td colSpan={3}>no dead letters</td>
              </tr>
            )}
            {reasons.map(([reason, count]) => (
              <tr key={reason}>
                <td>{reason}</td>
                <td>{count}</td>
                <td>
                  {reason !== "UNREADABLE" && (
                    <button
                      type="button"
                      disabled={busy !== undefined}
                      onClick={() =>
                        run(
                          `reason:${reason}`,
                          { reason },
                          `Re-drive every ${reason} dead letter not re-driven yet?`,
                        )
                      }
                    >
                      Re-drive all {reason}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="table-wrap">
        <table data-testid="dead-letters">
          <caption>Latest dead letters (newest first)</caption>
          <thead>
            <tr>
              <th scope="col">reason</th>
              <th scope="col">record</th>
              <th scope="col">why</th>
              <th scope="col">at</th>
              <th scope="col">action</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.deadLetters.recent.map((d) => (
              <DeadLetterLine
                key={`${d.partition}/${d.offset}`}
                row={d}
                busy={busy !== undefined}
                openRecord={openRecord}
                redrive={() =>
                  run(`one:${d.partition}/${d.offset}`, { partition: d.partition, offset: d.offset })
                }
              />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function DeadLetterLine({
  row,
  busy,
  openRecord,
  redrive,
}: {
  row: DeadLetterRow;
  busy: boolean;
  openRecord: (recordId: string) => void;
  redrive: () => void;
}) {
  return (
    <tr data-reason={row.reasonCode} data-record-id={row.recordId ?? ""}>
      <td>{row.reasonCode}</td>
      <td>
        {row.recordId ? (
          <a
            href={`#/record/${encodeURIComponent(row.recordId)}`}
            onClick={(e) => {
              e.preventDefault();
              if (row.recordId) openRecord(row.recordId);
            }}
          >
            {row.recordId}
          </a>
        ) : (
          <span class="muted">no record id</span>
        )}
      </td>
      <td>{row.reason}</td>
      <td>{row.deadLetteredAt ?? ""}</td>
      <td>
        {row.redriven ? (
          <span class="state-ok">re-driven</span>
        ) : row.redrivable ? (
          <button type="button" disabled={busy} onClick={redrive}>
            Re-drive
          </button>
        ) : (
          <span class="muted">carries no whole request</span>
        )}
      </td>
    </tr>
  );
}
