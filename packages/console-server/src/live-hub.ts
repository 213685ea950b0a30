/** One open page's stream: send the latest snapshot text; a page that is still writing is skipped. */
export interface LiveSubscriber {
  send(text: string): Promise<void>;
}

export interface LiveHubOptions {
  /** The text every page gets (the serialized snapshot). */
  render: () => string;
  /** At most one push per this long, however many changes happen. */
  throttleMs: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

/**
 * Fans one snapshot out to every open page. Changes within `throttleMs` are folded into one push,
 * rendered once for all pages; a page whose previous write has not finished gets the next push
 * instead of a queue, so a slow page costs no memory.
 */
export class LiveHub {
  readonly #subscribers = new Map<LiveSubscriber, { busy: boolean; stale: boolean }>();
  readonly #options: LiveHubOptions;
  #scheduled = false;

  constructor(options: LiveHubOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#subscribers.size;
  }

  /** Adds a page and sends it the current snapshot at once; returns the function that removes it. */
  add(subscriber: LiveSubscriber): () => void {
    this.#subscribers.set(subscriber, { busy: false, stale: false });
    this.#deliver(subscriber, this.#options.render());
    return () => {
      this.#subscribers.delete(subscriber);
    };
  }

  /** Something changed: push within throttleMs. */
  changed(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const setTimer = this.#options.setTimer ?? ((fn, ms) => setTimeout(fn, ms).unref());
    setTimer(() => {
      this.#scheduled = false;
      if (this.#subscribers.size === 0) return;
      const text = this.#options.render();
      for (const subscriber of this.#subscribers.keys()) this.#deliver(subscriber, text);
    }, this.#options.throttleMs);
  }

  #deliver(subscriber: LiveSubscriber, text: string): void {
    const state = this.#subscribers.get(subscriber);
    if (!state) return;
    if (state.busy) {
      state.stale = true;
      return;
    }
    state.busy = true;
    subscriber.send(text).then(
      () => {
        state.busy = false;
        if (state.stale) {
          state.stale = false;
          this.#deliver(subscriber, this.#options.render());
        }
      },
      () => this.#subscribers.delete(subscriber),
    );
  }
}
