import {
  type BulkSelection,
  type BulkSelectionStore,
  type IdPage,
  type RestResult,
  type SoftDeleteBatchResult,
  selectionProblem,
  UnknownSelectorError,
} from "./bulk-selection.js";

/** A record of the simulated population: its id and the field values selectors compare with. */
export interface SimulatedRecord {
  id: string;
  fields: Readonly<Record<string, string>>;
}

/**
 * The bulk side of the simulated store: an in-memory population with a soft-delete flag per
 * record. A selector `name` matches records whose field `name` equals the parameter `name`.
 * An id list selects the listed ids that exist (every listed id when no population is given).
 */
export class SimulatedBulkSelection implements BulkSelectionStore {
  private readonly records: SimulatedRecord[] | undefined;
  private readonly configured: ReadonlyMap<string, readonly string[]>;
  /** Ids flagged deleted; what a reader filtering on the flag would no longer see. */
  readonly flagged = new Set<string>();

  constructor(options: { records?: readonly SimulatedRecord[]; selectors?: readonly string[] } = {}) {
    this.records = options.records ? [...options.records].sort((a, b) => compare(a.id, b.id)) : undefined;
    this.configured = new Map((options.selectors ?? []).map((name) => [name, [name]]));
  }

  selectors(): ReadonlyMap<string, readonly string[]> {
    return this.configured;
  }

  async softDeleteBatch(
    selection: BulkSelection,
    after: string | null,
    limit: number,
  ): Promise<SoftDeleteBatchResult> {
    const { ids, last } = this.page(selection, after, limit);
    let marked = 0;
    for (const id of ids) {
      if (this.flagged.has(id)) continue;
      this.flagged.add(id);
      marked++;
    }
    return { matched: ids.length, marked, last };
  }

  async pageIds(selection: BulkSelection, after: string | null, limit: number): Promise<IdPage> {
    return this.page(selection, after, limit);
  }

  async rest(selection: BulkSelection, after: string | null, restore: boolean): Promise<RestResult> {
    const ids = this.matching(selection).filter((id) => after === null || compare(id, after) > 0);
    let restored = 0;
    if (restore) {
      for (const id of ids) if (this.flagged.delete(id)) restored++;
    }
    return { notRequested: ids.length, restored };
  }

  /** Removes records, as hard deletes would (tests). */
  remove(ids: Iterable<string>): void {
    if (!this.records) return;
    const gone = new Set(ids);
    this.records.splice(0, this.records.length, ...this.records.filter((r) => !gone.has(r.id)));
  }

  private page(selection: BulkSelection, after: string | null, limit: number): IdPage {
    const ids = this.matching(selection)
      .filter((id) => after === null || compare(id, after) > 0)
      .slice(0, limit);
    return { ids, last: ids.length < limit ? null : (ids[ids.length - 1] ?? null) };
  }

  private matching(selection: BulkSelection): string[] {
    const problem = selectionProblem(selection, this.configured);
    if (problem) throw new UnknownSelectorError(problem);
    if (selection.kind === "ids") {
      const listed = [...new Set(selection.ids)].sort(compare);
      if (!this.records) return listed;
      const present = new Set(this.records.map((r) => r.id));
      return listed.filter((id) => present.has(id));
    }
    const value = selection.params[selection.selector];
    return (this.records ?? []).filter((r) => r.fields[selection.selector] === value).map((r) => r.id);
  }
}

/** Code-unit order, as PostgreSQL's "C" collation orders text. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
