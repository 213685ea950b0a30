import type { Context } from "@resonatehq/sdk";
import { type BatchStepResult, deleteBatchStep } from "./deletion-steps.js";
import type { DeletionWorkflowInput } from "./workflow-input.js";

/**
 * Leaf step of the "throttle" pause: wait, then delete the batch. The wait sits inside the step,
 * so the workflow holds its task and goes on without suspending: nothing replays it and nothing
 * re-reads its earlier steps, and the batch still gets its own checkpoint. Only the first attempt
 * waits; a retry already waits its backoff.
 */
export async function pauseThenDeleteBatchStep(
  ctx: Context,
  input: DeletionWorkflowInput,
  batch: number,
  pauseMs: number,
): Promise<BatchStepResult> {
  if (pauseMs > 0 && ctx.info.attempt === 1) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  return deleteBatchStep(ctx, input, batch);
}

/**
 * The "durable" pause: a timer promise on the server, as `ctx.sleep` makes one, with one
 * difference. `ctx.sleep` gives its promise a branch of its own (context.js sleepCreateOpts), and
 * the server preloads, on every claim and fence of a task, only the promises of the task's branch
 * (persistence_sqlite.rs compute_preload). So after every resume each earlier sleep missed the
 * SDK's cache and was fenced again (util.js buildEffects promiseCreate -> sendFenced): the
 * quadratic part of the old cost. This timer is tagged with the workflow's branch, like its
 * steps, so a replay finds it in the preload and sends nothing for it. Should a server stop
 * preloading it, the replay only fences it again (promise.create of an existing id returns it):
 * slower, never wrong.
 */
export function* durablePause(ctx: Context, ms: number): Generator<unknown, void> {
  const timer = yield* ctx.promise<void>({
    timeout: ms,
    tags: {
      // What makes the server resolve (not time out) the promise at its deadline...
      "resonate:timer": "true",
      // ...and schedule that deadline at all (it only does so for promises with an address).
      "resonate:target": ctx.options().target,
      "resonate:branch": ctx.branchId,
    },
  });
  yield* timer;
}
