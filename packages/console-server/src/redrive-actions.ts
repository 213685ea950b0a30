import {
  type DeadLetterReasonCode,
  DeadLetterReasonCodeSchema,
  DeletionRequestedSchema,
  encodeMessage,
  LOG_EVENTS,
  MESSAGE_HEADERS,
} from "@deletion/contracts";
import {
  createIdempotentProducer,
  type Kafka,
  type Producer,
  planRedrive,
  type RequestSigner,
  redriveDeadLetters,
} from "@deletion/kafka";
import type { Logger } from "pino";
import type { ConsoleState, TopicPosition } from "./console-state.js";
import type { RedriveAnswer } from "./view.js";

export interface RedriveActionsOptions {
  deadLetterTopic: string;
  requestTopic: string;
  /** The re-drive command's group: re-driving a reason here moves the position it goes on from. */
  redriveGroupId: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  /** Signs each re-driven request, for workers that require signed requests. */
  signer?: RequestSigner | undefined;
  logger: Logger;
  now?: () => Date;
}

/** A request the page made that cannot be carried out as asked; the message says why. */
export class RedriveRefused extends Error {
  override readonly name = "RedriveRefused";
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
  ) {
    super(message);
  }
}

/**
 * Re-drive from the console, by the re-drive command's rules (packages/kafka): a reason runs
 * redriveDeadLetters itself; one dead letter goes through the same decision (planRedrive) and is
 * published the same way, keyed by record id with the redriven-from header.
 */
export class RedriveActions {
  #producer: Promise<Producer> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly state: ConsoleState,
    private readonly options: RedriveActionsOptions,
  ) {}

  async reason(reason: string): Promise<RedriveAnswer> {
    const parsed = DeadLetterReasonCodeSchema.safeParse(reason);
    if (!parsed.success) throw new RedriveRefused(`"${reason}" is not a dead-letter reason code`, 400);
    const o = this.options;
    const summary = await redriveDeadLetters(this.kafka, {
      deadLetterTopic: o.deadLetterTopic,
      requestTopic: o.requestTopic,
      groupId: o.redriveGroupId,
      reasons: new Set<DeadLetterReasonCode>([parsed.data]),
      dryRun: false,
      fromBeginning: false,
      connectTimeoutMs: o.connectTimeoutMs,
      timeoutMs: o.timeoutMs,
      ...(o.signer ? { signer: o.signer } : {}),
      logger: o.logger,
      ...(o.now ? { now: o.now } : {}),
    });
    this.state.markRedriven({ reason: parsed.data, recordIds: summary.recordIds });
    const note = summary.complete ? null : "stopped before the end of the dead-letter topic; run it again";
    return { republished: summary.republished, recordIds: summary.recordIds, note };
  }

  async one(where: TopicPosition): Promise<RedriveAnswer> {
    const kept = this.state.deadLetterAt(where);
    if (!kept)
      throw new RedriveRefused(
        `no dead letter at ${where.partition}/${where.offset} among the listed ones; re-drive its reason instead`,
        404,
      );
    const reasons = new Set([kept.row.reasonCode as DeadLetterReasonCode]);
    const decision = planRedrive(kept.value, {
      reasons,
      seen: new Set(),
      now: (this.options.now ?? (() => new Date()))(),
    });
    if (decision.action === "skip") throw new RedriveRefused(`cannot re-drive it: ${decision.detail}`, 409);
    const producer = await this.#connected();
    const value = encodeMessage(DeletionRequestedSchema, decision.request);
    await producer.send({
      topic: this.options.requestTopic,
      messages: [
        {
          key: decision.recordId,
          value,
          headers: {
            [MESSAGE_HEADERS.redrivenFrom]: `${this.options.deadLetterTopic}/${where.partition}/${where.offset}`,
            ...this.options.signer?.headersFor(decision.recordId, value),
          },
        },
      ],
    });
    this.options.logger.info(
      {
        event: LOG_EVENTS.redriveRepublished,
        ...where,
        recordId: decision.recordId,
        reasonCode: decision.reasonCode,
        dryRun: false,
      },
      `re-published a request for ${decision.recordId}`,
    );
    this.state.markRedriven({ where });
    return { republished: 1, recordIds: [decision.recordId], note: null };
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
