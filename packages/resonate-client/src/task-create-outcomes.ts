import type { Request } from "@resonatehq/sdk";

/** How the server answered the task.create that starts a workflow under one promise id. */
export type TaskCreateOutcome = "created" | "exists";

/**
 * Tells a caller of the SDK's beginRun whether its task.create made the promise or found one.
 * The SDK does not say: it returns a handle that looks like a fresh start's either way
 * (resonate.js taskCreate, createHandle). The worker needs to know, because it starts before it
 * looks (one request for a new record instead of a lookup and then a start) and looks only when
 * the id was taken. The network that sends the requests reports each task.create answer here.
 */
export class TaskCreateOutcomes {
  private readonly waiting = new Map<string, TaskCreateOutcome | undefined>();

  /**
   * Begin watching a promise id; read the outcome with `outcome()` once the start returned.
   * Undefined while another start of the same id is watched: two answers for one id could not be
   * told apart, so the second caller looks the id up instead.
   */
  watch(promiseId: string): { outcome(): TaskCreateOutcome | undefined; dispose(): void } | undefined {
    if (this.waiting.has(promiseId)) return undefined;
    this.waiting.set(promiseId, undefined);
    return {
      outcome: () => this.waiting.get(promiseId),
      dispose: () => {
        this.waiting.delete(promiseId);
      },
    };
  }

  /** Called by the network for every task.create answer (see taskCreateOutcome). */
  answered(promiseId: string, outcome: TaskCreateOutcome | undefined): void {
    if (this.waiting.has(promiseId) && outcome !== undefined) this.waiting.set(promiseId, outcome);
  }
}

interface TaskCreateAnswer {
  task?: { state?: unknown };
  promise?: { param?: { data?: unknown } };
}

/**
 * What a task.create answer says about its promise id. Server v0.9.8 (server.rs, task.create)
 * answers 200 not only for a new promise: also with the fulfilled task of a settled promise, and
 * with the task of an existing pending promise that nobody held, which it hands over. So
 * "created" is a 200 with the task acquired and the promise holding exactly the param this
 * request sent (an existing promise holds another request's: another offset, another IV when
 * payloads are encrypted). 409 (the task is held) and 422 (a promise that cannot be started,
 * such as another application's plain one) mean the id is taken. Anything else says nothing.
 */
export function taskCreateOutcome(
  request: Request,
  status: number,
  answer: unknown,
): TaskCreateOutcome | undefined {
  if (status === 409 || status === 422) return "exists";
  if (status !== 200) return undefined;
  const data = (answer as { data?: TaskCreateAnswer } | undefined)?.data;
  const sent = (request.data as { action?: { data?: { param?: { data?: unknown } } } }).action?.data?.param
    ?.data;
  const fresh = data?.task?.state === "acquired" && sent !== undefined && data.promise?.param?.data === sent;
  return fresh ? "created" : "exists";
}

/** The promise id a task.create request creates (undefined for any other request). */
export function taskCreatePromiseId(request: Request): string | undefined {
  if (request.kind !== "task.create") return undefined;
  // Read defensively: this runs on every answer, and a throw here would lose the answer.
  const id = (request.data as { action?: { data?: { id?: unknown } } } | undefined)?.action?.data?.id;
  return typeof id === "string" ? id : undefined;
}
