import { LocalNetwork, type Network, type Request } from "@resonatehq/sdk";
import { DelegatingNetwork } from "./delegating-network.js";

/** The parts of the SDK's in-process server this class works on, by shape (not exported by SDK 0.11.5). */
interface StoredPromise {
  id: string;
  state: string;
  tags: Record<string, string>;
  callbacks: Set<string>;
  listeners: Set<string>;
}
interface StoredTask {
  id: string;
  state: string;
  resumes?: Set<string>;
}

/** A finished workflow's own promise and task, without their (empty) sets: about 1.5 KB each. */
interface Finished {
  promise: Omit<StoredPromise, "callbacks" | "listeners">;
  task: Omit<StoredTask, "resumes"> | undefined;
}
interface LocalServer {
  promises: Map<string, StoredPromise>;
  tasks: Map<string, StoredTask>;
  pTimeouts: { id: string }[];
  tTimeouts: { id: string }[];
  /** A log of every message sent, kept only for the server's debug snapshot. */
  outgoing: unknown[];
}

export interface CompactingLocalNetworkOptions {
  pid: string;
  group: string;
  /** Finished workflows whose own promise is kept (oldest forgotten first). */
  keepFinished: number;
}

/** Default of CompactingLocalNetworkOptions.keepFinished. */
export const DEFAULT_FINISHED_KEPT = 50_000;

/**
 * The SDK's in-process network with memory bounded by the work in progress: a finished workflow's
 * steps and timers are deleted and its own promise kept among the last `keepFinished`. The SDK's
 * own never forgets, and slows down with every record. Why: docs/decisions/compacting-local-network.md
 */
export class CompactingLocalNetwork extends DelegatingNetwork<LocalNetwork> {
  private readonly server: LocalServer;
  private readonly keepFinished: number;
  /** Ids of each running workflow's descendants (steps, timers, child workflows), by origin. */
  private readonly descendants = new Map<string, Set<string>>();
  /** Finished workflows' own promise and task, oldest first. */
  private readonly finished = new Map<string, Finished>();

  constructor(options: CompactingLocalNetworkOptions) {
    if (!Number.isInteger(options.keepFinished) || options.keepFinished < 1)
      throw new RangeError(`keepFinished must be ≥ 1, got ${options.keepFinished}`);
    super(new LocalNetwork({ pid: options.pid, group: options.group }));
    // `server` is private in the SDK's typings; its maps are plain public fields in its code.
    this.server = (this.inner as unknown as { server: LocalServer }).server;
    this.keepFinished = options.keepFinished;
  }

  /** Promises held for workflows in progress (finished ones not counted). */
  get promisesHeld(): number {
    return this.server.promises.size;
  }

  /** Finished workflows whose outcome is kept. */
  get finishedKept(): number {
    return this.finished.size;
  }

  send: Network["send"] = (req) => {
    const ids = req.kind === "task.heartbeat" ? [] : idsIn(req);
    for (const id of ids) this.restore(id);
    // LocalNetwork applies the request before it returns; the messages it dispatches later are
    // copies made now, so what is deleted below is not needed by them.
    const response = this.inner.send(req);
    this.server.outgoing.length = 0;
    for (const id of ids) this.track(id);
    for (const id of ids) this.compact(id);
    return response;
  };

  private restore(id: string): void {
    const entry = this.finished.get(id);
    if (!entry || this.server.promises.has(id)) return;
    this.server.promises.set(id, { ...entry.promise, callbacks: new Set(), listeners: new Set() });
    if (entry.task) this.server.tasks.set(id, { ...entry.task, resumes: new Set() });
  }

  private track(id: string): void {
    const origin = originOf(id);
    if (origin === id || !this.server.promises.has(id)) return;
    let ids = this.descendants.get(origin);
    if (!ids) {
      ids = new Set();
      this.descendants.set(origin, ids);
    }
    ids.add(id);
  }

  /** Moves a finished workflow to the finished store and deletes everything under it. */
  private compact(id: string): void {
    const { promises, tasks } = this.server;
    const promise = promises.get(id);
    if (!promise || promise.state === "pending" || originOf(id) !== id) return;
    const task = tasks.get(id);
    if (task && task.state !== "fulfilled") return;
    const under = this.descendants.get(id) ?? new Set<string>();
    for (const child of under) {
      if (promises.get(child)?.state === "pending") return;
      const childTask = tasks.get(child);
      if (childTask && childTask.state !== "fulfilled") return;
    }
    for (const child of under) {
      promises.delete(child);
      tasks.delete(child);
    }
    this.descendants.delete(id);
    promises.delete(id);
    tasks.delete(id);
    this.finished.delete(id); // re-inserted last: the most recently used is kept longest
    const { callbacks: _callbacks, listeners: _listeners, ...kept } = promise;
    this.finished.set(id, { promise: kept, task: task ? withoutResumes(task) : undefined });
    if (this.finished.size > this.keepFinished) {
      const oldest = this.finished.keys().next().value;
      if (oldest !== undefined) this.finished.delete(oldest);
    }
  }
}

function withoutResumes(task: StoredTask): Omit<StoredTask, "resumes"> {
  const { resumes: _resumes, ...rest } = task;
  return rest;
}

/** The origin of a promise id: everything before the first ':' (ids.js). */
function originOf(id: string): string {
  const colon = id.indexOf(":");
  return colon === -1 ? id : id.slice(0, colon);
}

/** Every promise or task id a request names. */
function idsIn(req: Request): string[] {
  const ids: string[] = [];
  const data = req.data as Record<string, unknown>;
  for (const key of ["id", "awaited", "awaiter"]) {
    const value = data[key];
    if (typeof value === "string") ids.push(value);
  }
  const action = data.action as { data?: { id?: unknown } } | undefined;
  if (typeof action?.data?.id === "string") ids.push(action.data.id);
  const actions = data.actions as { data?: { awaited?: unknown; awaiter?: unknown } }[] | undefined;
  for (const a of actions ?? []) {
    if (typeof a.data?.awaited === "string") ids.push(a.data.awaited);
    if (typeof a.data?.awaiter === "string") ids.push(a.data.awaiter);
  }
  return [...new Set(ids)];
}
