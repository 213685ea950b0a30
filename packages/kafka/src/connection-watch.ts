import type { KafkaJsLogger } from "./client.js";
import {
  BrokerConnectionError,
  type ConnectionFailure,
  connectionFailureIn,
  isDefinitive,
} from "./connection-failures.js";

/**
 * A logger for one client that watches its lines for connection failures: `refused` rejects at
 * the first that retrying cannot cure (authentication, TLS), and `explain` adds the most telling
 * one seen to an error the client raised without a reason; the lines themselves go to debug.
 */
export class ConnectionWatch {
  readonly refused: Promise<never>;
  readonly logger: KafkaJsLogger;
  #last: ConnectionFailure | undefined;
  #lastHinted: ConnectionFailure | undefined;
  #refuse: (error: BrokerConnectionError) => void = () => {};

  constructor(forward: KafkaJsLogger | undefined) {
    this.refused = new Promise<never>((_, reject) => {
      this.#refuse = reject;
    });
    // Nobody may be waiting on it any more when a late failure comes.
    this.refused.catch(() => {});
    const watch = (level: "info" | "warn" | "error") => (message: string, extra?: object) => {
      const failure = connectionFailureIn(message);
      if (!failure) return forward?.[level](message, extra);
      this.#last = failure;
      if (failure.hint) this.#lastHinted = failure;
      forward?.debug(message, extra);
      if (isDefinitive(failure)) this.#refuse(new BrokerConnectionError(failure));
    };
    const logger: KafkaJsLogger = {
      info: watch("info"),
      warn: watch("warn"),
      error: watch("error"),
      debug: (message, extra) => forward?.debug(message, extra),
      namespace: () => logger,
      setLogLevel: () => {},
    };
    this.logger = logger;
  }

  /** The error to report for `error`: itself, or with the connection failure that explains it. */
  explain(error: unknown): Error {
    if (error instanceof BrokerConnectionError) return error;
    const cause = error instanceof Error ? error : new Error(String(error));
    const failure = this.#lastHinted ?? this.#last;
    return failure ? new BrokerConnectionError(failure, cause) : cause;
  }
}
