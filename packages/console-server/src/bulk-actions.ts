import { randomBytes } from "node:crypto";
import { bulkRequestsOf, encodeBulkDeletionRequested } from "@deletion/contracts";
import type { BulkStatus } from "@deletion/deletion-status";
import { createIdempotentProducer, type Kafka, type Producer, type RequestSigner } from "@deletion/kafka";
import type { Logger } from "pino";
import type { BulkBoard } from "./bulk-board.js";
import type { BulkSubmitAnswer, BulkSubmitRequest } from "./view.js";

export interface BulkActionsOptions {
  requestTopic: string;
  /** Asks the bulk to stop publishing pages (requestBulkCancel on the Resonate server). */
  cancel: (
    bulkId: string,
    restore: boolean,
  ) => Promise<{ ok: true; alreadyRequested: boolean } | { ok: false; reason: string }>;
  /** How long a submission waits for the first soft-deleted count before answering. */
  firstCountWithinMs: number;
  /** Signs each bulk request, for workers that require signed requests. */
  signer?: RequestSigner | undefined;
  logger: Logger;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Submitting and cancelling bulk deletions, as the bulk command does. */
export class BulkActions {
  #producer: Promise<Producer> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly board: BulkBoard,
    private readonly options: BulkActionsOptions,
  ) {}

  /**
   * Publishes the bulk request(s) (an id list above the per-message bound is split, as the bulk
   * command splits it), then waits a little for the worker's first soft-delete, so the page can
   * say at once how many records are already hidden.
   */
  async submit(request: BulkSubmitRequest): Promise<BulkSubmitAnswer> {
    const requests = bulkRequestsOf({
      bulkId: `bulk-${randomBytes(4).toString("hex")}`,
      requestedAt: new Date().toISOString(),
      ...("ids" in request ? { ids: request.ids } : { selector: request.selector, params: request.params }),
    });
    const producer = await this.#connected();
    await producer.send({
      topic: this.options.requestTopic,
      messages: requests.map((r) => {
        const value = encodeBulkDeletionRequested(r);
        const signer = this.options.signer;
        return {
          key: r.bulkId,
          value,
          ...(signer ? { headers: signer.headersFor(r.bulkId, value, "bulk") } : {}),
        };
      }),
    });
    const bulkIds = requests.map((r) => r.bulkId);
    for (const id of bulkIds) this.board.track(id);
    this.options.logger.info({ bulkIds }, `submitted bulk ${bulkIds.join(", ")}`);
    const deadline = Date.now() + this.options.firstCountWithinMs;
    let statuses: BulkStatus[] = [];
    do {
      statuses = await Promise.all(bulkIds.map((id) => this.board.readOne(id)));
      if (statuses.every((s) => s.softDeleted > 0 || (s.state !== "running" && s.state !== "unknown"))) break;
      await sleep(200);
    } while (Date.now() < deadline);
    return { bulkIds, softDeleted: statuses.reduce((sum, s) => sum + s.softDeleted, 0) };
  }

  async cancel(bulkId: string, restore: boolean) {
    const result = await this.options.cancel(bulkId, restore);
    if (result.ok) void this.board.readOne(bulkId).catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    const producer = await this.#producer?.catch(() => undefined);
    await producer?.disconnect().catch(() => {});
  }

  #connected(): Promise<Producer> {
    this.#producer ??= (async () => {
      const producer = createIdempotentProducer(this.kafka);
      await producer.connect();
      return producer;
    })();
    this.#producer.catch(() => {
      this.#producer = undefined;
    });
    return this.#producer;
  }
}
