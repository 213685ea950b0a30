/**
 * What a bulk deletion selects: a selector the deployment configured, with its values, or an
 * explicit list of record ids. Stores resolve a selector's name to a column themselves; the
 * name and values come from a message, the column only from configuration.
 */
export type BulkSelection =
  | { kind: "selector"; selector: string; params: Readonly<Record<string, string>> }
  | { kind: "ids"; ids: readonly string[] };

/** One keyset batch of the bulk soft delete. */
export interface SoftDeleteBatchResult {
  /** Records of the selection in this batch (flagged before or now). */
  matched: number;
  /** Parent rows this batch flagged (rows already flagged are not counted). */
  marked: number;
  /** The last record id of the batch: where the next one starts; null once the selection is done. */
  last: string | null;
}

/** One keyset page of the selection's record ids, ascending. */
export interface IdPage {
  ids: string[];
  /** Where the next page starts; null when this page was the last. */
  last: string | null;
}

/** What is left of the selection past a point (a cancelled bulk's rest). */
export interface RestResult {
  /** Records of the selection after the point: never requested. */
  notRequested: number;
  /** Of those, rows whose soft delete was cleared again (only when asked to restore). */
  restored: number;
}

/** Why a selection cannot be used (an unconfigured selector, a missing parameter). */
export class UnknownSelectorError extends Error {
  override readonly name = "UnknownSelectorError";
}

/**
 * The store side of a bulk deletion: everything works in bounded keyset batches over the record
 * id, so no statement holds a long transaction and a batch run again after a crash finds the
 * same rows (flagging is idempotent). Record ids compare as the store orders them.
 */
export interface BulkSelectionStore {
  /** The selectors this store is configured with: name -> the parameter names each needs. */
  selectors(): ReadonlyMap<string, readonly string[]>;
  /** Flags up to `limit` records of the selection after `after` (null: from the start). */
  softDeleteBatch(
    selection: BulkSelection,
    after: string | null,
    limit: number,
  ): Promise<SoftDeleteBatchResult>;
  /** Up to `limit` record ids of the selection after `after`, flagged or not. */
  pageIds(selection: BulkSelection, after: string | null, limit: number): Promise<IdPage>;
  /** Counts the selection after `after` and, with `restore`, clears its soft delete. */
  rest(selection: BulkSelection, after: string | null, restore: boolean): Promise<RestResult>;
}

/**
 * Checks a selection against the configured selectors: the name must be configured and the
 * parameters must be exactly the ones it needs. Returns why not, or undefined when it fits.
 */
export function selectionProblem(
  selection: BulkSelection,
  configured: ReadonlyMap<string, readonly string[]>,
): string | undefined {
  if (selection.kind === "ids") return undefined;
  const needs = configured.get(selection.selector);
  if (!needs) {
    const known = [...configured.keys()].join(", ") || "none";
    return `selector "${selection.selector}" is not configured on this deployment (configured: ${known})`;
  }
  const given = Object.keys(selection.params).sort();
  const wanted = [...needs].sort();
  if (given.length !== wanted.length || given.some((name, i) => name !== wanted[i])) {
    return `selector "${selection.selector}" takes the parameters ${wanted.join(", ")}; got ${given.join(", ") || "none"}`;
  }
  return undefined;
}
