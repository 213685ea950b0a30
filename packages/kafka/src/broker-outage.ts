import { LOG_EVENTS } from "@deletion/contracts";
import type { Logger } from "pino";
import { connectionFailureIn, describeConnectionFailure } from "./connection-failures.js";

/**
 * The client's lines that mean "the brokers cannot be reached right now": librdkafka repeats
 * them for every broker, every reconnect and every request while an outage lasts. Failures that
 * retrying cannot cure (authentication, TLS) are not among them: those stay loud.
 */
const OUTAGE_LINE =
  /all broker connections are down|Broker transport failure|Local: (?:Timed out|All broker connections are down)|Failed to acquire idempotence PID|Connection refused|Consumer group session timed out/i;

export function isOutageLine(message: string): boolean {
  if (OUTAGE_LINE.test(message)) return true;
  return connectionFailureIn(message)?.kind === "connection";
}

export interface BrokerOutageOptions {
  logger: Logger;
  /** Whether the brokers answer now; called every `probeEveryMs` while they do not. */
  probe: () => Promise<boolean>;
  probeEveryMs?: number;
  now?: () => number;
}

/**
 * One outage of the brokers, reported as two lines however long it lasts: `brokers_unreachable`
 * at the first sign (with the client's reason) and `brokers_reachable` once a probe gets an
 * answer again, with how long it took and how many of the client's lines were folded into it
 * (those go to debug). Counted for /metrics.
 */
export class BrokerOutage {
  private downSince: number | undefined;
  private foldedNow = 0;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;
  /** Outages so far. */
  outages = 0;
  /** Client lines folded into an outage's two lines so far. */
  folded = 0;

  constructor(private readonly options: BrokerOutageOptions) {}

  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** A sign the brokers cannot be reached; the first of an outage is logged, the rest folded. */
  failed(reason: string): void {
    if (this.downSince !== undefined) {
      this.foldedNow++;
      this.folded++;
      return;
    }
    this.downSince = this.now();
    this.foldedNow = 0;
    this.outages++;
    const failure = connectionFailureIn(reason);
    this.options.logger.warn(
      { event: LOG_EVENTS.brokersUnreachable, reason: failure ? describeConnectionFailure(failure) : reason },
      "the Kafka brokers cannot be reached; retrying until they answer (further errors folded into one line when they do)",
    );
    this.schedule();
  }

  /** The brokers answered: ends the outage, if there is one. */
  reachable(): void {
    if (this.downSince === undefined) return;
    const downMs = this.now() - this.downSince;
    this.downSince = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.options.logger.info(
      { event: LOG_EVENTS.brokersReachable, downMs, folded: this.foldedNow },
      `the Kafka brokers answer again after ${Math.round(downMs / 100) / 10} s (${this.foldedNow} client errors folded)`,
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.probe(), this.options.probeEveryMs ?? 2_000);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    if (this.probing || this.downSince === undefined) return;
    this.probing = true;
    const answered = await this.options.probe().catch(() => false);
    this.probing = false;
    if (answered) this.reachable();
    else if (this.downSince !== undefined) this.schedule();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
