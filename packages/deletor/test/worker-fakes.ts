import { Writable } from "node:stream";
import type { Producer } from "@deletion/kafka";
import type { AttemptEnd, DeletionRequestInput, DeletionRuntime, DeletionStart } from "@deletion/workflows";
import { type Logger, pino } from "pino";
import type { ConsumedMessage, ConsumerEvents, ConsumerPort, TopicPartition } from "../src/consumer-port.js";
import type { CommitEntry } from "../src/offset-tracker.js";

/** Workflows that run until the test finishes them. */
export class FakeRuntime implements DeletionRuntime {
  readonly begun: string[] = [];
  private readonly ends = new Map<string, PromiseWithResolvers<AttemptEnd>>();

  async begin(request: DeletionRequestInput): Promise<DeletionStart> {
    const { recordId } = request;
    this.begun.push(recordId);
    let end = this.ends.get(recordId);
    const attached = end !== undefined;
    if (!end) {
      end = Promise.withResolvers<AttemptEnd>();
      this.ends.set(recordId, end);
    }
    const promise = end.promise;
    return { kind: "started", attempt: 1, promiseId: `deletion/${recordId}`, attached, end: () => promise };
  }

  finish(recordId: string): void {
    this.ends.get(recordId)?.resolve({
      kind: "finished",
      outcome: {
        recordId,
        attempt: 1,
        status: "completed",
        batches: 1,
        rowsDeleted: 1,
        transientErrorsRetried: 0,
      },
    });
  }
}

export type ControlCall =
  | { op: "pause" | "resume"; partitions: string[] }
  | { op: "seek"; partition: string; offset: string };

const names = (partitions: TopicPartition[]) => partitions.map((p) => `${p.topic}/${p.partition}`);

/** A consumer the test drives: it delivers messages and rebalances, and records what the worker asked. */
export class FakeConsumer implements ConsumerPort {
  connected = false;
  events: ConsumerEvents | undefined;
  assigned: TopicPartition[] = [];
  readonly calls: ControlCall[] = [];
  readonly commits: CommitEntry[][] = [];
  /** Set to make commits hang (never answered) or fail. */
  commitBehaviour: "ok" | "hang" | "fail-once" = "ok";
  disconnected = false;

  async start(events: ConsumerEvents): Promise<void> {
    this.events = events;
    this.connected = true;
  }

  assignment(): TopicPartition[] {
    return this.connected ? this.assigned : [];
  }

  pause(partitions: TopicPartition[]): void {
    this.calls.push({ op: "pause", partitions: names(partitions) });
  }

  resume(partitions: TopicPartition[]): void {
    this.calls.push({ op: "resume", partitions: names(partitions) });
  }

  seek(partition: TopicPartition, offset: string): void {
    this.calls.push({ op: "seek", partition: `${partition.topic}/${partition.partition}`, offset });
  }

  commit(entries: CommitEntry[]): Promise<void> {
    this.commits.push(entries);
    if (this.commitBehaviour === "hang") return new Promise(() => {});
    if (this.commitBehaviour === "fail-once") {
      this.commitBehaviour = "ok";
      return Promise.reject(new Error("coordinator not available"));
    }
    return Promise.resolve();
  }

  async partitionCount(): Promise<number> {
    return this.assigned.length;
  }

  async highWatermarks(): Promise<Map<number, bigint>> {
    return new Map();
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    this.disconnected = true;
  }

  assign(partitions: TopicPartition[]): void {
    this.assigned = partitions;
    this.events?.onAssigned(partitions);
  }

  async revoke(partitions: TopicPartition[]): Promise<void> {
    await this.events?.onRevoked(partitions);
    const gone = new Set(names(partitions));
    this.assigned = this.assigned.filter((p) => !gone.has(`${p.topic}/${p.partition}`));
  }

  deliver(message: ConsumedMessage): void {
    this.events?.onMessage(message);
  }
}

export const TOPIC = "requests";

export const requestMessage = (recordId: string, partition: number, offset: number): ConsumedMessage => ({
  topic: TOPIC,
  partition,
  offset: String(offset),
  key: Buffer.from(recordId),
  value: Buffer.from(JSON.stringify({ schemaVersion: 1, recordId, requestedAt: "2026-11-27T00:00:00.000Z" })),
  timestamp: "1700000000000",
});

/** A logger whose lines the test reads. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines };
}

/** Dead letters are not what these tests are about; nothing sends any. */
export const unusedProducer = {
  send: async () => {
    throw new Error("no message is dead-lettered in these tests");
  },
} as unknown as Producer;

/** The lines the worker logged with this event. */
export const events = (lines: Record<string, unknown>[], event: string) =>
  lines.filter((l) => l.event === event);
