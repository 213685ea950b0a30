import type { Request } from "@resonatehq/sdk";
import type { StoredValue } from "./stored-promise.js";

// The SDK follows even a workflow it runs here through a listener on the server; the network
// reports the ends it sees instead. Why: docs/decisions/local-run-ends.md

/** How a watched workflow left this process. */
export type LocalRunEnd =
  /** Its task was fulfilled here: the root promise is settled with this state and stored value. */
  | { kind: "settled"; state: "resolved" | "rejected"; value: StoredValue | undefined }
  /** It suspended, was released or halted, or never ran here: follow it by its promise. */
  | { kind: "elsewhere" };

interface Watched {
  taskId?: string;
  settle: (end: LocalRunEnd) => void;
}

export class LocalRunEnds {
  private readonly byPromise = new Map<string, Watched>();
  private readonly promiseOfTask = new Map<string, string>();

  /** Workflows watched now (for tests). */
  get watched(): number {
    return this.byPromise.size;
  }

  /**
   * Begin watching a root promise before starting it. Undefined when it is watched already (a
   * second start of the same id follows it by listener).
   */
  watch(promiseId: string): { ended: Promise<LocalRunEnd>; dispose(): void } | undefined {
    if (this.byPromise.has(promiseId)) return undefined;
    const { promise, resolve } = Promise.withResolvers<LocalRunEnd>();
    const entry: Watched = {
      settle: (end) => {
        if (this.byPromise.get(promiseId) === entry) this.byPromise.delete(promiseId);
        if (entry.taskId !== undefined) this.promiseOfTask.delete(entry.taskId);
        resolve(end);
      },
    };
    this.byPromise.set(promiseId, entry);
    return { ended: promise, dispose: () => entry.settle({ kind: "elsewhere" }) };
  }

  /** Called by the network before each request is sent. */
  sending(request: Request): void {
    if (request.kind === "task.release" || request.kind === "task.halt") this.leave(taskIdOf(request));
  }

  /** Called by the network with every answer it passes on. */
  observe(request: Request, status: number, answer: unknown): void {
    switch (request.kind) {
      case "task.create": {
        const promiseId = actionData(request)?.id;
        const entry = typeof promiseId === "string" ? this.byPromise.get(promiseId) : undefined;
        if (!entry) return;
        const task = (answer as { data?: { task?: { id?: unknown; state?: unknown } } } | undefined)?.data
          ?.task;
        if (status === 200 && task?.state === "acquired" && typeof task.id === "string") {
          entry.taskId = task.id;
          this.promiseOfTask.set(task.id, promiseId as string);
        } else {
          entry.settle({ kind: "elsewhere" });
        }
        return;
      }
      case "task.fulfill": {
        const action = actionData(request);
        const entry = typeof action?.id === "string" ? this.byPromise.get(action.id) : undefined;
        if (!entry) return;
        const state = action?.state;
        entry.settle(
          status === 200 && (state === "resolved" || state === "rejected")
            ? { kind: "settled", state, value: action?.value as StoredValue | undefined }
            : { kind: "elsewhere" },
        );
        return;
      }
      // Suspended (200) the workflow resumes wherever the server sends it; a redirect (300) means
      // it carries on here.
      case "task.suspend":
        if (status === 200) this.leave(taskIdOf(request));
        return;
      default:
        return;
    }
  }

  /** Called by the network when a request got no answer. */
  failed(request: Request): void {
    if (request.kind !== "task.fulfill" && request.kind !== "task.create") return;
    const id = actionData(request)?.id;
    if (typeof id === "string") this.byPromise.get(id)?.settle({ kind: "elsewhere" });
  }

  private leave(taskId: unknown): void {
    if (typeof taskId !== "string") return;
    const promiseId = this.promiseOfTask.get(taskId);
    if (promiseId !== undefined) this.byPromise.get(promiseId)?.settle({ kind: "elsewhere" });
  }
}

function taskIdOf(request: Request): unknown {
  return (request.data as { id?: unknown } | undefined)?.id;
}

function actionData(request: Request): { id?: unknown; state?: unknown; value?: unknown } | undefined {
  return (
    request.data as { action?: { data?: { id?: unknown; state?: unknown; value?: unknown } } } | undefined
  )?.action?.data;
}
