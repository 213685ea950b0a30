import { Exponential, type Resonate, type ResonateHandle, type RetryPolicy } from "@resonatehq/sdk";
import type { CompletionPublisher } from "./completion-publisher.js";
import { DELETION_DEPENDENCIES, type DeletionDependencies } from "./deletion-steps.js";
import { DELETION_WORKFLOW_NAME, deletionWorkflow } from "./deletion-workflow.js";
import type { RecordStore } from "./record-store.js";
import type { DeletionOutcome, DeletionWorkflowInput } from "./workflow-input.js";
import { silentLogger, type WorkflowLogger } from "./workflow-logger.js";

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
  logger?: WorkflowLogger;
  batchRetry?: BatchRetryConfig;
}

export type DeletionHandle = ResonateHandle<DeletionOutcome>;

export interface DeletionRuntime {
  /**
   * Starts the workflow for input.recordId, or attaches to the one that already exists under
   * that id (running or finished): the record id is the durable promise id. Resolves once the
   * promise exists, not when the deletion is done.
   */
  begin(input: DeletionWorkflowInput): Promise<DeletionHandle>;
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
  return { begin: (input) => workflow.beginRun(input.recordId, input) };
}
