import type { Context } from "@resonatehq/sdk";

/**
 * The "durable" pause: a server timer like `ctx.sleep`'s, but in the workflow's branch, so the
 * server preloads it on resume instead of the SDK creating it again.
 * Why: docs/decisions/durable-pause-branch.md
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
