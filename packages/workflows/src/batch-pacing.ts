import type { Context, Resonate } from "@resonatehq/sdk";

/** A batch's turn as a worker-wide pacer hands it out (the pacing package's BatchSlot). */
export interface PacedSlot {
  readonly batchSize: number;
  finish(outcome: { rowsDeleted: number } | { error: unknown }): void;
}

/** What the batch step needs of a pacer: a slot before the database is touched. */
export interface BatchPacer {
  acquire(): Promise<PacedSlot>;
}

export const BATCH_PACER = "deletion.batchPacer";

/** Hands the worker's pacer to the batch steps this client runs. Once per client, before work starts. */
export function registerBatchPacer(resonate: Resonate, pacer: BatchPacer): void {
  resonate.setDependency(BATCH_PACER, pacer);
}

/**
 * Runs a batch's database work in its turn, with the batch size the pacer sets now (undefined:
 * no pacer, the store's own size), and reports how it went.
 *
 * Called inside the batch step only: waiting here is the step waiting, never the workflow body,
 * so a replayed workflow finds the step's checkpoint and neither waits nor asks for a size. How
 * many rows a batch took is in that checkpoint; the body only loops until one says none remain.
 */
export async function inBatchTurn<T extends { rowsDeleted: number }>(
  ctx: Context,
  run: (limit: number | undefined) => Promise<T>,
): Promise<T> {
  const pacer = ctx.getDependency<BatchPacer>(BATCH_PACER);
  if (!pacer) return run(undefined);
  const slot = await pacer.acquire();
  try {
    const result = await run(slot.batchSize);
    slot.finish({ rowsDeleted: result.rowsDeleted });
    return result;
  } catch (error) {
    slot.finish({ error });
    throw error;
  }
}
