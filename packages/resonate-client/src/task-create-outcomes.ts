import type { Request } from "@resonatehq/sdk";

/** How the server answered the task.create that starts a workflow under one promise id. */
export type TaskCreateOutcome = "created" | "exists";

/**
 * Tells a caller of beginRun whether its task.create made the promise or found one, which the
 * SDK does not say, so a new record costs one request. Why: docs/decisions/task-create-outcomes.md
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
  task?: { state?: unknown; version?: unknown };
  promise?: { param?: { data?: unknown } };
}

/**
 * What a task.create answer says about its promise id: "created" only for a 200 with the task
 * acquired at version 1 and the promise holding the very param sent; 409 and 422 mean "exists";
 * anything else says nothing. Server v0.9.8 answers 200 for existing promises too: a settled one
 * (its fulfilled task), and a pending one whose task nobody holds, handed over acquired. A
 * redelivered request whose worker died carries the same param, so only the version (1 when the
 * task is new, one more at every hand-over) tells that hand-over from a creation.
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
  const fresh =
    data?.task?.state === "acquired" &&
    data.task.version === 1 &&
    sent !== undefined &&
    data.promise?.param?.data === sent;
  return fresh ? "created" : "exists";
}

/** The promise id a task.create request creates (undefined for any other request). */
export function taskCreatePromiseId(request: Request): string | undefined {
  if (request.kind !== "task.create") return undefined;
  // Read defensively: this runs on every answer, and a throw here would lose the answer.
  const id = (request.data as { action?: { data?: { id?: unknown } } } | undefined)?.action?.data?.id;
  return typeof id === "string" ? id : undefined;
}
