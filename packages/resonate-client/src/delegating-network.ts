import type { Message, Network, Send } from "@resonatehq/sdk";

/**
 * A network in front of another: everything passes through to `inner` except what a subclass
 * changes. `send` is left to the subclass, as an arrow property: Resonate keeps `network.send`
 * unbound.
 */
export abstract class DelegatingNetwork<Inner extends Network = Network> implements Network {
  abstract readonly send: Send;

  constructor(protected readonly inner: Inner) {}

  get unicast(): string {
    return this.inner.unicast;
  }

  get anycast(): string {
    return this.inner.anycast;
  }

  match(target: string): string {
    return this.inner.match(target);
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  recv(callback: (msg: Message) => void): void {
    this.inner.recv(callback);
  }
}
