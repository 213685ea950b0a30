import type { DeadLetter, DeletionCompleted } from "@deletion/contracts";
import {
  type BatchContext,
  type BatchResult,
  PermanentDeletionError,
  type RecordStore,
  TransientDeletionError,
} from "@deletion/record-store";
import { createResonateClient } from "@deletion/resonate-client";
import {
  type CompletionPublisher,
  type DeletionOutcome,
  type DeletionRequestInput,
  type DeletionRuntime,
  registerDeletionWorkflow,
} from "../src/index.js";

export class RecordingPublisher implements CompletionPublisher {
  readonly completions: DeletionCompleted[] = [];
  readonly failures: DeadLetter[] = [];
  async publishCompleted(completion: DeletionCompleted): Promise<void> {
    this.completions.push(completion);
  }
  async publishFailed(deadLetter: DeadLetter): Promise<void> {
    this.failures.push(deadLetter);
  }
}

/** One outcome per call, in order: a record's script is consumed as its batches run. */
export type Step = "more" | "last" | "transient" | "permanent";

/** A store that follows a script per record and counts every call per (record, batch). */
export class ScriptedStore implements RecordStore {
  readonly calls = new Map<string, number>();
  private readonly position = new Map<string, number>();

  constructor(private readonly scripts: Record<string, Step[]>) {}

  async deleteBatch(recordId: string, { batch }: BatchContext): Promise<BatchResult> {
    const key = `${recordId}#${batch}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    const index = this.position.get(recordId) ?? 0;
    this.position.set(recordId, index + 1);
    const step = this.scripts[recordId]?.[index] ?? "last";
    if (step === "transient") throw new TransientDeletionError(`transient on ${key}`);
    if (step === "permanent") throw new PermanentDeletionError(`permanent on ${key}`);
    return { rowsDeleted: 10, rowsRemain: step === "more" };
  }

  callsFor(recordId: string): Record<number, number> {
    const out: Record<number, number> = {};
    for (const [key, count] of this.calls) {
      const [id, batch] = key.split("#");
      if (id === recordId) out[Number(batch)] = count;
    }
    return out;
  }
}

export function inProcessRuntime(store: RecordStore, publisher: CompletionPublisher, promisePrefix?: string) {
  const client = createResonateClient({
    group: "test",
    pid: "test-worker",
    ttlMs: 60_000,
    logLevel: "error",
  });
  const runtime: DeletionRuntime = registerDeletionWorkflow(client.resonate, {
    store,
    publisher,
    batchRetry: { initialDelayMs: 5, maxDelayMs: 20, maxRetries: 10 },
    ...(promisePrefix ? { promisePrefix } : {}),
  });
  return { ...client, runtime };
}

export const input = (recordId: string, offset = 0, batchSleepMs = 1): DeletionRequestInput => ({
  recordId,
  requestedAt: "2026-11-27T00:00:00.000Z",
  source: { topic: "records_to_be_deleted", partition: 0, offset: String(offset) },
  batchSleepMs,
});

/** Begins a request that must start (or attach to) an attempt, and waits for that attempt's outcome. */
export async function run(runtime: DeletionRuntime, request: DeletionRequestInput): Promise<DeletionOutcome> {
  const start = await runtime.begin(request);
  if (start.kind !== "started") throw new Error(`expected an attempt to start, got ${JSON.stringify(start)}`);
  const end = await start.end();
  if (end.kind !== "finished") throw new Error(`expected the attempt to finish, got ${JSON.stringify(end)}`);
  return end.outcome;
}
