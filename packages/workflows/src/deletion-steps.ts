import type { StructuredLogger } from "@deletion/contracts";
import { type DeadLetter, LOG_EVENTS } from "@deletion/contracts";
import { PermanentDeletionError, type RecordStore } from "@deletion/record-store";
import type { Context, RetryPolicy } from "@resonatehq/sdk";
import { type CompletionPublisher, rethrowPublishError } from "./completion-publisher.js";
import type { DeletionOutcome, DeletionWorkflowInput } from "./workflow-input.js";

/** Services the leaf steps use, registered once per Resonate client as a dependency. */
export interface DeletionDependencies {
  store: RecordStore;
  publisher: CompletionPublisher;
  logger: StructuredLogger;
  /** How failed batches are retried; PermanentDeletionError is never retried. */
  batchRetryPolicy: RetryPolicy;
}

export const DELETION_DEPENDENCIES = "deletion.dependencies";

export function dependencies(ctx: Context): DeletionDependencies {
  const deps = ctx.getDependency<DeletionDependencies>(DELETION_DEPENDENCIES);
  if (!deps) throw new Error(`Resonate dependency "${DELETION_DEPENDENCIES}" is not registered`);
  return deps;
}

/** Options of a step (retry policy, errors never retried), as `ctx.options` builds them. */
export type StepOptions = ReturnType<Context["options"]>;

/**
 * How a batch step is retried, the same on every replay; built once per client, as the SDK's
 * options builder is costly. Why: docs/decisions/step-options-built-once.md
 */
export function batchStepOptions(ctx: Context): StepOptions {
  const deps = dependencies(ctx);
  let options = builtOptions.get(deps);
  if (!options) {
    options = ctx.options({
      retryPolicy: deps.batchRetryPolicy,
      nonRetryableErrors: [PermanentDeletionError],
    });
    builtOptions.set(deps, options);
  }
  return options;
}

const builtOptions = new WeakMap<DeletionDependencies, StepOptions>();

/** Where a record's request was read, for log lines. */
export const position = (input: DeletionWorkflowInput) => ({
  recordId: input.recordId,
  partition: input.source.partition,
  offset: input.source.offset,
});

/** Leaf step: a deletion that failed for good goes to the dead-letter topic, request and reason. */
export async function publishFailedStep(
  ctx: Context,
  input: DeletionWorkflowInput,
  outcome: DeletionOutcome,
): Promise<DeadLetter> {
  const { publisher, logger } = dependencies(ctx);
  const request = { schemaVersion: 1, recordId: input.recordId, requestedAt: input.requestedAt };
  const deadLetter: DeadLetter = {
    schemaVersion: 1,
    reasonCode: "WORKFLOW_FAILED",
    reason: `deletion attempt ${input.attempt} (promise ${ctx.originId}) failed after ${outcome.batches} completed batches: ${outcome.error ?? "unknown error"}`,
    source: input.source,
    keyBase64: Buffer.from(input.recordId, "utf8").toString("base64"),
    valueBase64: Buffer.from(JSON.stringify(request), "utf8").toString("base64"),
    deadLetteredAt: new Date().toISOString(),
  };
  await publisher.publishFailed(deadLetter).catch(rethrowPublishError);
  logger.error(
    { event: LOG_EVENTS.failed, ...position(input), reason: deadLetter.reason },
    "deletion failed; dead-lettered",
  );
  return deadLetter;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
