import { type DeadLetter, type DeletionCompleted, LOG_EVENTS } from "@deletion/contracts";
import type { CompletionPublisher } from "@deletion/workflows";
import type { Logger } from "pino";

/**
 * Lets shutdown take the producer away from the workflows without making a step fail.
 *
 * Until close(), publishes pass through. close() waits (bounded) for the publishes under way, so
 * the producer is disconnected only after them. A publish a workflow begins after close() is
 * held: it never settles, so the step neither succeeds nor fails, and nothing is checkpointed.
 * Whoever resumes the workflow (another worker of the Resonate group, or this one after a
 * restart, with the in-process network) runs the step again and publishes then. A step that
 * failed instead would end its workflow failed, and a step retried against a disconnected
 * producer would only log errors until the process exits.
 */
export class PublishGate implements CompletionPublisher {
  private closed = false;
  private readonly underway = new Set<Promise<unknown>>();

  constructor(
    private readonly inner: CompletionPublisher,
    private readonly logger: Logger,
  ) {}

  get inFlight(): number {
    return this.underway.size;
  }

  publishCompleted(completion: DeletionCompleted): Promise<void> {
    const { recordId, source } = completion;
    return this.pass("completion", { recordId, partition: source.partition, offset: source.offset }, () =>
      this.inner.publishCompleted(completion),
    );
  }

  publishFailed(deadLetter: DeadLetter): Promise<void> {
    const { source, reasonCode } = deadLetter;
    return this.pass("dead letter", { partition: source.partition, offset: source.offset, reasonCode }, () =>
      this.inner.publishFailed(deadLetter),
    );
  }

  /** Holds every publish from now on; resolves once those under way ended or after timeoutMs. */
  async close(timeoutMs: number): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.underway]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private pass(kind: string, about: Record<string, unknown>, publish: () => Promise<void>): Promise<void> {
    if (this.closed) {
      this.logger.info(
        { event: LOG_EVENTS.publishHeld, kind, ...about },
        `shutting down: ${kind} not published here; whoever resumes the workflow publishes it`,
      );
      return new Promise<void>(() => {});
    }
    const publishing = publish();
    this.underway.add(publishing);
    void publishing.then(
      () => this.underway.delete(publishing),
      () => this.underway.delete(publishing),
    );
    return publishing;
  }
}
