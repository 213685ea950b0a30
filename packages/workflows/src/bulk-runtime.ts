import {
  type BulkDeletionRequested,
  type SourcePosition,
  type StructuredLogger,
  silentLogger,
} from "@deletion/contracts";
import type { BulkSelectionStore } from "@deletion/record-store";
import type { Resonate } from "@resonatehq/sdk";
import { z } from "zod";
import { BULK_RESTORE_TAG } from "./bulk-cancel.js";
import { BulkIds } from "./bulk-ids.js";
import {
  type BulkOutcome,
  BulkOutcomeSchema,
  type BulkShape,
  BulkShapeSchema,
  type BulkWorkflowInput,
  DEFAULT_BULK_SHAPE,
} from "./bulk-input.js";
import {
  BULK_DEPENDENCIES,
  type BulkDependencies,
  type BulkPublisher,
  type RecordProgress,
} from "./bulk-steps.js";
import { BULK_WORKFLOW_NAME, bulkWorkflow } from "./bulk-workflow.js";
import { promiseLookup } from "./deletion-runtime.js";
import { errorMessage } from "./deletion-steps.js";
import { DEFAULT_PROMISE_PREFIX } from "./promise-ids.js";
import { decodeStoredValue, readAttempt } from "./promise-values.js";

/** How record promise ids are made: the same PromiseIds the deletion runtime uses. */
export interface RecordPromiseIds {
  readonly prefix: string;
  of(recordId: string, attempt: number): string;
}

export interface BulkRuntimeOptions {
  selection: BulkSelectionStore;
  publisher: BulkPublisher;
  /** The record workflows' promise ids, to follow each record of a bulk. */
  recordIds: RecordPromiseIds;
  logger?: StructuredLogger;
  shape?: Partial<BulkShape>;
  /**
   * A failed attempt of a record from before the bulk counts as the record's end only after
   * this long: until then the bulk's own request may still start the record's next attempt.
   */
  olderFailureGraceMs?: number;
}

export type BulkEnd = { kind: "finished"; outcome: BulkOutcome } | { kind: "crashed"; error: string };

export interface BulkStart {
  promiseId: string;
  /** The bulk was already running or done (the same bulkId requested again): this request follows it. */
  attached: boolean;
  /** Resolves when the bulk ends; never rejects. */
  end(): Promise<BulkEnd>;
}

export interface BulkRuntime {
  readonly ids: BulkIds;
  /**
   * Starts the bulk's workflow, or attaches to the one its bulkId already has. Resolves once its
   * promise exists. Rejects only when the Resonate server could not be asked.
   */
  begin(request: BulkDeletionRequested, source: SourcePosition): Promise<BulkStart>;
}

const CancelParamSchema = z.object({ restore: z.boolean().default(false) });

/** Registers the bulk workflow and its dependencies on a Resonate client. Once per client. */
export function registerBulkWorkflow(resonate: Resonate, options: BulkRuntimeOptions): BulkRuntime {
  // The client's network opens what it reads (encrypted payloads included).
  const lookup = promiseLookup(resonate);
  const ids = new BulkIds(options.recordIds.prefix ?? DEFAULT_PROMISE_PREFIX);
  const graceMs = options.olderFailureGraceMs ?? 10 * 60_000;
  const shape = BulkShapeSchema.parse({ ...DEFAULT_BULK_SHAPE, ...options.shape });

  const recordProgress = async (recordId: string, requestedAt: string): Promise<RecordProgress> => {
    let olderFailure = false;
    for (let attempt = 1; ; attempt++) {
      const promiseId = options.recordIds.of(recordId, attempt);
      const state = readAttempt(await lookup(promiseId), { recordId, attempt, promiseId });
      switch (state.kind) {
        case "absent":
          // After a failure from before the bulk, its request starts the next attempt: wait for it, bounded.
          if (olderFailure && Date.now() - Date.parse(requestedAt) > graceMs) return { kind: "failed" };
          return { kind: "pending" };
        case "running":
          return { kind: "pending" };
        case "foreign":
          return { kind: "failed" };
        case "completed":
          return { kind: "deleted", rowsDeleted: state.outcome.rowsDeleted };
        case "failed":
          olderFailure = Date.parse(state.input.requestedAt) < Date.parse(requestedAt);
          if (!olderFailure) {
            const next = await lookup(options.recordIds.of(recordId, attempt + 1));
            if (next === undefined) return { kind: "failed" };
          }
          break;
      }
    }
  };

  const cancelOf = async (bulkId: string): Promise<{ restore: boolean } | undefined> => {
    const promise = await lookup(ids.cancelOf(bulkId));
    if (promise === undefined) return undefined;
    const tag = (promise as { tags?: Record<string, string> }).tags?.[BULK_RESTORE_TAG];
    if (tag !== undefined) return { restore: tag === "true" };
    const param = decodeStoredValue(promise.param);
    const parsed = CancelParamSchema.safeParse(param.ok ? (param.value ?? {}) : {});
    return { restore: parsed.success ? parsed.data.restore : false };
  };

  const deps: BulkDependencies = {
    selection: options.selection,
    publisher: options.publisher,
    logger: options.logger ?? silentLogger,
    recordProgress,
    cancelOf,
  };
  resonate.setDependency(BULK_DEPENDENCIES, deps);
  const workflow = resonate.register(BULK_WORKFLOW_NAME, bulkWorkflow);

  return {
    ids,
    async begin(request, source) {
      const promiseId = ids.of(request.bulkId);
      const existing = await lookup(promiseId);
      const input: BulkWorkflowInput = {
        bulkId: request.bulkId,
        requestedAt: request.requestedAt,
        ...(request.selector !== undefined
          ? { selector: request.selector, params: request.params ?? {} }
          : {}),
        ...(request.ids !== undefined ? { ids: request.ids } : {}),
        source,
        shape,
      };
      const handle = await workflow.beginRun(promiseId, input);
      return {
        promiseId,
        attached: existing !== undefined,
        end: () =>
          handle.result().then(
            (value: unknown): BulkEnd => {
              const outcome = BulkOutcomeSchema.safeParse(value);
              return outcome.success
                ? { kind: "finished", outcome: outcome.data }
                : { kind: "crashed", error: `promise ${promiseId} holds no bulk outcome` };
            },
            (error: unknown): BulkEnd => ({ kind: "crashed", error: errorMessage(error) }),
          ),
      };
    },
  };
}
