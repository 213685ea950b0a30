import type { Producer } from "../src/client.js";

type SendArgs = Parameters<Producer["send"]>[0];
type SendResult = Awaited<ReturnType<Producer["send"]>>;

export interface Written {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Buffer;
}

/**
 * Stands in for the client: partitions by a hash of the key, numbers offsets per partition,
 * and acknowledges on a later turn of the event loop, as the real delivery reports do.
 */
export class FakeProducer {
  readonly written: Written[] = [];
  calls = 0;
  /** Messages sent but not yet acknowledged. */
  outstanding = 0;
  maxOutstanding = 0;
  /** Refuses a message (the delivery report fails with this error), as a broker would. */
  refuse:
    | ((topic: string, message: { key: Buffer | string | null; value: Buffer }) => Error | undefined)
    | undefined;
  private readonly next = new Map<number, number>();

  constructor(
    private readonly partitions = 3,
    private readonly failOn?: (key: string) => Error | undefined,
  ) {}

  send = (args: SendArgs): Promise<SendResult> => {
    this.calls++;
    this.outstanding += args.messages.length;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        this.outstanding -= args.messages.length;
        const results: SendResult = [];
        for (const message of args.messages) {
          const key = String(message.key);
          const error =
            this.failOn?.(key) ??
            this.refuse?.(args.topic, { key: message.key ?? null, value: message.value as Buffer });
          if (error) return reject(error);
          const partition = hash(key) % this.partitions;
          const offset = this.next.get(partition) ?? 0;
          this.next.set(partition, offset + 1);
          this.written.push({ topic: args.topic, partition, offset, key, value: message.value as Buffer });
          results.push({ topicName: args.topic, partition, errorCode: 0, baseOffset: String(offset) });
        }
        resolve(results);
      });
    });
  };
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}
