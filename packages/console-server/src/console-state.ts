import { DeadLetterSchema, DeletionCompletedSchema, decodeMessage } from "@deletion/contracts";
import type { BulkStatus } from "@deletion/deletion-status";
import { planRedrive } from "@deletion/kafka";
import { RateWindow } from "./rate-window.js";
import { RingBuffer } from "./ring-buffer.js";
import type { CompletionRow, DeadLetterRow, LagView, ServiceHealth, Snapshot, WorkerHealth } from "./view.js";

export interface TopicPosition {
  partition: number;
  offset: string;
}

/** A dead letter as kept for re-drive: its row and its bytes. */
export interface KeptDeadLetter {
  row: DeadLetterRow;
  value: Buffer | null;
}

export interface ConsoleStateOptions {
  now: () => number;
  /** Rows kept per list (recent completions, recent dead letters). */
  recentLimit?: number;
  lagGroup: string;
  lagTopic: string;
}

const UNKNOWN: ServiceHealth = { ok: null, error: null, checkedAt: null };
/** Longest record id shown from a dead letter's key; anything longer is not a record id. */
const MAX_SHOWN_KEY = 256;

/**
 * Everything every page shows, folded from the one subscription: counters, a per-minute window
 * and the last N rows of each list. Its size does not grow with time or with the number of pages.
 */
export class ConsoleState {
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  readonly #completions: RingBuffer<CompletionRow>;
  readonly #deadLetters: RingBuffer<KeptDeadLetter>;
  readonly #perMinute: RateWindow;
  #completionsTotal = 0;
  #deadLettersTotal = 0;
  readonly #byReason = new Map<string, number>();
  #lag: LagView;
  #workers: WorkerHealth[] = [];
  #topics: ServiceHealth = UNKNOWN;
  #resonate: ServiceHealth = UNKNOWN;
  #bulks: BulkStatus[] | null = null;

  constructor(options: ConsoleStateOptions) {
    this.#now = options.now;
    const limit = options.recentLimit ?? 100;
    this.#completions = new RingBuffer(limit);
    this.#deadLetters = new RingBuffer(limit);
    this.#perMinute = new RateWindow(60_000, 60, options.now);
    this.#lag = {
      group: options.lagGroup,
      topic: options.lagTopic,
      partitions: [],
      total: 0,
      readAt: null,
      error: null,
    };
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A message of the completion topic. Undecodable ones are not completions and are not counted. */
  addCompletion(value: Buffer | null): void {
    const decoded = decodeMessage(DeletionCompletedSchema, value);
    if (!decoded.ok) return;
    const c = decoded.value;
    this.#completionsTotal += 1;
    const at = Date.parse(c.completedAt);
    this.#perMinute.add(Number.isNaN(at) ? this.#now() : at);
    this.#completions.push({
      recordId: c.recordId,
      attempt: c.attempt ?? 1,
      batches: c.batches,
      rowsDeleted: c.rowsDeleted,
      completedAt: c.completedAt,
      requestPartition: c.source.partition,
      requestOffset: String(c.source.offset),
    });
    this.#changed();
  }

  /** A message of the dead-letter topic; one that is no dead letter is counted as UNREADABLE. */
  addDeadLetter(value: Buffer | null, where: TopicPosition): void {
    const decoded = decodeMessage(DeadLetterSchema, value);
    let row: DeadLetterRow;
    if (decoded.ok) {
      const d = decoded.value;
      row = {
        ...where,
        reasonCode: d.reasonCode,
        reason: d.reason,
        recordId: readableKey(d.keyBase64),
        deadLetteredAt: d.deadLetteredAt,
        // Re-drive's own decision: it holds a whole, valid request to publish again.
        redrivable:
          planRedrive(value, {
            reasons: new Set([d.reasonCode]),
            seen: new Set(),
            now: new Date(this.#now()),
          }).action === "republish",
        redriven: false,
      };
    } else {
      row = {
        ...where,
        reasonCode: "UNREADABLE",
        reason: decoded.error.reason,
        recordId: null,
        deadLetteredAt: null,
        redrivable: false,
        redriven: false,
      };
    }
    this.#deadLettersTotal += 1;
    this.#byReason.set(row.reasonCode, (this.#byReason.get(row.reasonCode) ?? 0) + 1);
    this.#deadLetters.push({ row, value });
    this.#changed();
  }

  /** A dead letter still in the recent list, by its position on the dead-letter topic. */
  deadLetterAt(where: TopicPosition): KeptDeadLetter | undefined {
    return this.#deadLetters.find(
      (d) => d.row.partition === where.partition && d.row.offset === where.offset,
    );
  }

  /** Marks listed dead letters as re-driven: those at `where`, or, by record id, those of `reason`. */
  markRedriven(match: { where: TopicPosition } | { reason: string; recordIds: readonly string[] }): void {
    const ids = "reason" in match ? new Set(match.recordIds) : undefined;
    for (const d of this.#deadLetters.toArray()) {
      const hit =
        "where" in match
          ? d.row.partition === match.where.partition && d.row.offset === match.where.offset
          : d.row.reasonCode === match.reason && d.row.recordId !== null && ids?.has(d.row.recordId);
      if (hit) d.row.redriven = true;
    }
    this.#changed();
  }

  setLag(lag: Pick<LagView, "partitions"> | { error: string }): void {
    const readAt = new Date(this.#now()).toISOString();
    if ("error" in lag) this.#lag = { ...this.#lag, readAt, error: lag.error };
    else {
      const partitions = [...lag.partitions].sort((a, b) => a.partition - b.partition);
      const total = partitions.reduce((sum, p) => sum + p.lag, 0);
      this.#lag = { ...this.#lag, partitions, total, readAt, error: null };
    }
    this.#changed();
  }

  setWorkers(workers: WorkerHealth[]): void {
    this.#workers = workers;
    this.#changed();
  }

  setTopics(health: { ok: boolean; error?: string }): void {
    this.#topics = this.#health(health);
    this.#changed();
  }

  setResonate(health: { ok: boolean; error?: string }): void {
    this.#resonate = this.#health(health);
    this.#changed();
  }

  /** The bulk board's list; null when the bulk topics are not there. */
  setBulks(bulks: BulkStatus[] | null): void {
    this.#bulks = bulks;
    this.#changed();
  }

  snapshot(): Snapshot {
    const answering = this.#workers.filter((w) => w.inFlight !== null);
    return {
      at: new Date(this.#now()).toISOString(),
      completions: {
        total: this.#completionsTotal,
        perMinute: this.#perMinute.count(),
        recent: this.#completions.toArray(),
      },
      deadLetters: {
        total: this.#deadLettersTotal,
        byReason: Object.fromEntries([...this.#byReason].sort(([a], [b]) => a.localeCompare(b))),
        recent: this.#deadLetters.toArray().map((d) => ({ ...d.row })),
      },
      inFlight: answering.length === 0 ? null : answering.reduce((sum, w) => sum + (w.inFlight ?? 0), 0),
      lag: this.#lag,
      workers: this.#workers,
      topics: this.#topics,
      resonate: this.#resonate,
      bulks: this.#bulks,
    };
  }

  #health(health: { ok: boolean; error?: string }): ServiceHealth {
    return { ok: health.ok, error: health.error ?? null, checkedAt: new Date(this.#now()).toISOString() };
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** The original key as text when it is short printable UTF-8 (a record id), else null. */
function readableKey(keyBase64: string | null): string | null {
  if (keyBase64 === null) return null;
  const text = Buffer.from(keyBase64, "base64").toString("utf8");
  if (text === "" || text.length > MAX_SHOWN_KEY || !/^[\x20-\x7e]+$/.test(text)) return null;
  return text;
}
