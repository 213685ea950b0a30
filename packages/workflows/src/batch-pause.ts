import type { Context } from "@resonatehq/sdk";

/**
 * The "durable" pause: a timer promise on the server, as `ctx.sleep` makes one, with one
 * difference: it is tagged with the workflow's branch, like its steps. The server preloads only
 * a task's own branch on every claim, so a `ctx.sleep` (a branch of its own) missed the SDK's
 * cache after every resume and was created again, which made a record's requests grow with the
 * square of its batches. Should a server stop preloading it, a replay only creates it again
 * (promise.create of an existing id returns it): slower, never wrong.
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
