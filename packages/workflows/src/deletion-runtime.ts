import { type StructuredLogger, silentLogger } from "@deletion/contracts";
import type { RecordStore } from "@deletion/record-store";
import {
  type LocalRunEnd,
  type LocalRunEnds,
  type PayloadCipher,
  PLAINTEXT_PAYLOADS,
  readClientPromise,
  type TaskCreateOutcomes,
} from "@deletion/resonate-client";
import { Exponential, type Resonate, type RetryPolicy } from "@resonatehq/sdk";
import { type PromiseLookup, selectAttempt } from "./attempts.js";
import { DELETION_SEGMENT_NAME, deletionSegmentWorkflow } from "./batch-segments.js";
import type { CompletionPublisher } from "./completion-publisher.js";
import { DELETION_DEPENDENCIES, type DeletionDependencies, errorMessage } from "./deletion-steps.js";
import { DELETION_WORKFLOW_NAME, deletionWorkflow } from "./deletion-workflow.js";
import { DEFAULT_PROMISE_PREFIX, PromiseIds } from "./promise-ids.js";
import { decodeStoredValue, errorText, readOutcome } from "./promise-values.js";
import type { DeletionOutcome, DeletionRequestInput, DeletionWorkflowInput } from "./workflow-input.js";
import { type WorkflowShapeOptions, workflowShape } from "./workflow-shape.js";

export interface BatchRetryConfig {
  initialDelayMs: number;
  maxDelayMs: number;
  maxRetries: number;
}

export const DEFAULT_BATCH_RETRY: BatchRetryConfig = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetries: 20,
};

export interface DeletionRuntimeOptions {
  store: RecordStore;
  publisher: CompletionPublisher;
  logger?: StructuredLogger;
  batchRetry?: BatchRetryConfig;
  /** Namespace of this project's promise ids on the server (see promise-ids.ts). */
  promisePrefix?: string;
  /** With it, promise ids carry a keyed hash of the record id instead of the id (promise-ids.ts). */
  promiseIdKey?: Buffer | undefined;
  /** How new workflows pause between batches and how long their segments are (workflow-shape.ts). */
  shape?: WorkflowShapeOptions;
  /** Opens the values seen outside the SDK (an attempt's end): the Resonate client's cipher (default plain). */
  payloads?: PayloadCipher | undefined;
  /**
   * Given (server mode: ResonateClient.taskCreates), a request starts the record's first attempt
   * before looking anything up, and looks its attempts up only when that id was taken: one
   * request to the server for a new record instead of two. Without it, every request looks first.
   */
  taskCreates?: TaskCreateOutcomes | undefined;
  /**
   * Given (server mode: ResonateClient.localRuns), an attempt this process runs itself is
   * followed by watching it end here, not by a listener on the server: one request less per
   * record. One that leaves the process (suspends, is released) is followed by listener.
   */
  localRuns?: LocalRunEnds | undefined;
}

/** How an attempt this worker follows ended, read and validated from its promise. */
export type AttemptEnd =
  | { kind: "finished"; outcome: DeletionOutcome }
  /** Its promise holds something that is not this attempt's outcome: another application's. */
  | { kind: "foreign"; reason: string }
  /** The workflow threw (or its promise timed out or was cancelled). */
  | { kind: "crashed"; error: string };

/** What begin() did for a request. */
export type DeletionStart =
  | {
      kind: "started";
      attempt: number;
      promiseId: string;
      /** The attempt was already running (its promise existed): this request follows it. */
      attached: boolean;
      /** For a retry: the failed attempt it follows. */
      retryOf?: string;
      /** Resolves when the attempt ends; never rejects. */
      end(): Promise<AttemptEnd>;
    }
  /** Nothing was started: the latest attempt already ended (see AttemptDecision "report"). */
  | { kind: "finished"; attempt: number; promiseId: string; status: "completed" | "failed" }
  /** The record's promise id holds a promise this project did not create. */
  | { kind: "foreign"; attempt: number; promiseId: string; reason: string };

export interface DeletionRuntime {
  /**
   * Finds the record's latest deletion attempt and acts on it: starts the first attempt, a new
   * one after a failed attempt, or attaches to a running one; a completed deletion is only
   * reported. Resolves once the attempt's promise exists, not when the deletion is done. Rejects
   * only when the Resonate server could not be asked (worth retrying).
   */
  begin(request: DeletionRequestInput): Promise<DeletionStart>;
}

export function batchRetryPolicy(config: BatchRetryConfig): RetryPolicy {
  // Exponential's delay for attempt n is initialDelay * 2^n; halve it so the first retry waits initialDelayMs.
  return new Exponential({
    delay: config.initialDelayMs / 2,
    factor: 2,
    maxRetries: config.maxRetries,
    maxDelay: config.maxDelayMs,
  });
}

/** Registers the workflow and its dependencies on a Resonate client. Once per client. */
export function registerDeletionWorkflow(
  resonate: Resonate,
  options: DeletionRuntimeOptions,
): DeletionRuntime {
  const deps: DeletionDependencies = {
    store: options.store,
    publisher: options.publisher,
    logger: options.logger ?? silentLogger,
    batchRetryPolicy: batchRetryPolicy(options.batchRetry ?? DEFAULT_BATCH_RETRY),
  };
  resonate.setDependency(DELETION_DEPENDENCIES, deps);
  const workflow = resonate.register(DELETION_WORKFLOW_NAME, deletionWorkflow);
  resonate.register(DELETION_SEGMENT_NAME, deletionSegmentWorkflow);
  const shape = workflowShape(options.shape);
  const ids = new PromiseIds(options.promisePrefix ?? DEFAULT_PROMISE_PREFIX, {
    idKey: options.promiseIdKey,
  });
  const lookup = promiseLookup(resonate);

  const workflowInput = (request: DeletionRequestInput, attempt: number): DeletionWorkflowInput => ({
    ...request,
    attempt,
    shape,
  });
  type Handle = { result(): Promise<unknown> };
  type LocalWatch = { ended: Promise<LocalRunEnd>; dispose(): void } | undefined;
  const payloads = options.payloads ?? PLAINTEXT_PAYLOADS;

  /** How the attempt ended: from its end here when it ran here, else from its promise. */
  const attemptEnd = async (
    handle: Handle,
    local: LocalWatch,
    expected: { recordId: string; attempt: number; promiseId: string },
  ): Promise<AttemptEnd> => {
    const here = local ? await local.ended : undefined;
    if (here?.kind === "settled") {
      // The value as this process sent it, sealed for the attempt's promise (sealing-network.ts).
      const opened = payloads.open(here.value, expected.promiseId);
      const decoded = opened.ok
        ? decodeStoredValue(opened.value)
        : { ok: false as const, reason: opened.reason };
      if (!decoded.ok)
        return { kind: "foreign", reason: `promise ${expected.promiseId}: value ${decoded.reason}` };
      if (here.state === "rejected") {
        return { kind: "crashed", error: errorText(decoded.value) ?? "workflow failed" };
      }
      const outcome = readOutcome(decoded.value, expected);
      return outcome.ok
        ? { kind: "finished", outcome: outcome.value }
        : { kind: "foreign", reason: outcome.reason };
    }
    return handle.result().then(
      (value: unknown): AttemptEnd => {
        const outcome = readOutcome(value, expected);
        return outcome.ok
          ? { kind: "finished", outcome: outcome.value }
          : { kind: "foreign", reason: outcome.reason };
      },
      (error: unknown): AttemptEnd =>
        isDecodingError(error)
          ? { kind: "foreign", reason: `promise ${expected.promiseId}: ${decodingErrorMessage(error)}` }
          : { kind: "crashed", error: errorMessage(error) },
    );
  };

  const started = (
    request: DeletionRequestInput,
    handle: Handle,
    local: LocalWatch,
    fields: { attempt: number; promiseId: string; attached: boolean; retryOf?: string },
  ): DeletionStart => {
    const expected = { recordId: request.recordId, attempt: fields.attempt, promiseId: fields.promiseId };
    return { kind: "started", ...fields, end: () => attemptEnd(handle, local, expected) };
  };

  /** Starts an attempt, watching it end here when this process runs it. */
  const beginRun = async (promiseId: string, input: DeletionWorkflowInput) => {
    const local = options.localRuns?.watch(promiseId);
    try {
      return { handle: await workflow.beginRun(promiseId, input), local };
    } catch (error) {
      local?.dispose();
      throw error;
    }
  };

  /**
   * Starts the first attempt when its id is free. When the id was taken (a duplicate, a retry, a
   * foreign promise) the caller looks the record's attempts up; it may reuse the handle the SDK
   * gave for the promise it found. That start may even reject (the SDK decodes the promise it
   * found, and foreign bytes throw): the lookup reads it raw and says what it is.
   */
  type FirstStart =
    | { fresh: DeletionStart }
    | { taken: { handle: Handle; local: LocalWatch } | undefined }
    | undefined;
  const startIfNew = async (request: DeletionRequestInput): Promise<FirstStart> => {
    const promiseId = ids.of(request.recordId, 1);
    const watched = options.taskCreates?.watch(promiseId);
    if (!watched) return undefined;
    try {
      const { handle, local } = await beginRun(promiseId, workflowInput(request, 1));
      if (watched.outcome() === "created") {
        return { fresh: started(request, handle, local, { attempt: 1, promiseId, attached: false }) };
      }
      if (watched.outcome() === "exists") return { taken: { handle, local } };
      local?.dispose();
      return { taken: undefined };
    } catch (error) {
      if (watched.outcome() === "exists") return { taken: undefined };
      throw error;
    } finally {
      watched.dispose();
    }
  };

  return {
    async begin(request) {
      const first = await startIfNew(request);
      if (first && "fresh" in first) return first.fresh;
      const decision = await selectAttempt(request, ids, lookup);
      if (decision.action === "report") {
        const { action: _, ...rest } = decision;
        return { kind: "finished", ...rest };
      }
      if (decision.action === "foreign") {
        const { action: _, ...rest } = decision;
        return { kind: "foreign", ...rest };
      }
      const { attempt, promiseId } = decision;
      // Attaching to the first attempt, whose start just found it running: that handle follows it.
      const taken = first && "taken" in first ? first.taken : undefined;
      const found = taken && attempt === 1 && decision.action === "attach" ? taken : undefined;
      if (!found) taken?.local?.dispose();
      const { handle, local } = found ?? (await beginRun(promiseId, workflowInput(request, attempt)));
      return started(request, handle, local, {
        attempt,
        promiseId,
        attached: decision.action === "attach",
        ...(decision.action === "start" && decision.retryOf ? { retryOf: decision.retryOf } : {}),
      });
    },
  };
}

/**
 * Raw promise.get: nothing decoded by the SDK's codec, so foreign bytes cannot throw there. The
 * client's network opened the param and value; one it could not is marked with why
 * (stored-promise.ts in @deletion/resonate-client).
 */
export function promiseLookup(resonate: Resonate): PromiseLookup {
  return async (promiseId) => {
    try {
      return readClientPromise(await resonate.promises.get(promiseId));
    } catch (error) {
      // promises.js get: a non-success answer becomes a ResonateError carrying the server's status.
      if ((error as { serverError?: { code?: unknown } }).serverError?.code === 404) return undefined;
      throw error;
    }
  };
}

/** The SDK says only that a value "cannot be decoded"; why (say, an unknown key id) is its cause. */
function decodingErrorMessage(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? errorMessage(error) : `${errorMessage(error)}: ${errorMessage(cause)}`;
}

/** The SDK's codec could not decode a stored value (exceptions.js: type "Encoding"). */
function isDecodingError(error: unknown): boolean {
  return (error as { type?: unknown } | null)?.type === "Encoding";
}
