import { randomUUID } from "node:crypto";
import type { Request } from "@resonatehq/sdk";

// The SDK does not heartbeat the task a beginRun creates, so a record running longer than the
// TTL would lose its task to another worker. Why: docs/decisions/created-task-heartbeat.md

type Send = (request: Request) => Promise<unknown>;

export class CreatedTaskHeartbeat {
  private readonly tasks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private version = "";

  constructor(
    private readonly pid: string,
    /** How often: the SDK's own rhythm, ttl / 2. */
    private readonly everyMs: number,
    private readonly send: Send,
  ) {}

  /** Tasks heartbeated now (for tests and metrics). */
  get held(): number {
    return this.tasks.size;
  }

  /** Called by the network with every request and its answer. */
  observe(request: Request, status: number, answer: unknown): void {
    const data = request.data as { id?: unknown; version?: unknown; pid?: unknown };
    switch (request.kind) {
      case "task.create": {
        const task = (answer as { data?: { task?: { id?: unknown; state?: unknown; version?: unknown } } })
          ?.data?.task;
        if (status !== 200 || data.pid !== this.pid || task?.state !== "acquired") return;
        if (typeof task.id !== "string" || typeof task.version !== "number") return;
        this.version = request.head.version;
        this.tasks.set(task.id, task.version);
        this.timer ??= setInterval(() => this.beat(), this.everyMs);
        this.timer.unref();
        return;
      }
      // Suspended: no longer ours. A redirect (300) means "carry on": the task stays ours.
      case "task.suspend":
        if (status === 200) this.drop(request);
        return;
      default:
        return;
    }
  }

  /**
   * Called by the network before each request is sent: a task the SDK fulfils, releases or halts
   * is let go even if the server never hears it, or the server, once back, would keep it here.
   */
  sending(request: Request): void {
    if (request.kind === "task.fulfill" || request.kind === "task.release" || request.kind === "task.halt") {
      this.drop(request);
    }
  }

  private drop(request: Request): void {
    const data = request.data as { id?: unknown; version?: unknown };
    if (typeof data.id === "string" && this.tasks.get(data.id) === data.version) this.tasks.delete(data.id);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.tasks.clear();
  }

  private beat(): void {
    if (this.tasks.size === 0) return;
    const tasks = [...this.tasks].map(([id, version]) => ({ id, version }));
    this.send({
      kind: "task.heartbeat",
      head: { corrId: randomUUID(), version: this.version },
      data: { pid: this.pid, tasks },
    } as Request).catch(() => {
      // As the SDK's heartbeat: the next one comes in ttl / 2; the guard reports a failing server.
    });
  }
}
