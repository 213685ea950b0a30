import { type DeadLetter, type DeletionCompleted, LOG_EVENTS } from "@deletion/contracts";
import type { CompletionPublisher } from "@deletion/workflows";
import type { Logger } from "pino";

/**
 * Lets shutdown take the producer away without making a step fail: close() waits (bounded) for
 * the publishes under way, and a publish begun later never settles, so its step is not
 * checkpointed and whoever resumes the workflow publishes then. A failed step would fail the record.
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
