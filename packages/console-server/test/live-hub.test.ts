import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveHub } from "../src/live-hub.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("LiveHub", () => {
  it("sends a new page the current snapshot, then folds changes within the throttle into one push", async () => {
    let version = 0;
    let renders = 0;
    const render = () => {
      renders += 1;
      return `v${version}`;
    };
    const hub = new LiveHub({ render, throttleMs: 250 });
    const a: string[] = [];
    const b: string[] = [];
    hub.add({ send: async (t) => void a.push(t) });
    hub.add({ send: async (t) => void b.push(t) });
    renders = 0;
    version = 1;
    hub.changed();
    version = 2;
    hub.changed();
    hub.changed();
    await vi.advanceTimersByTimeAsync(250);
    expect(a).toEqual(["v0", "v2"]);
    expect(b).toEqual(["v0", "v2"]);
    // Rendered once for both pages.
    expect(renders).toBe(1);
  });

  it("gives a page still writing only the latest snapshot when it is done, never a queue", async () => {
    let version = 0;
    const hub = new LiveHub({ render: () => `v${version}`, throttleMs: 10 });
    const sent: string[] = [];
    let release: () => void = () => {};
    hub.add({
      send: (t) => {
        sent.push(t);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    for (version = 1; version <= 5; version++) {
      hub.changed();
      await vi.advanceTimersByTimeAsync(10);
    }
    version = 5;
    expect(sent).toEqual(["v0"]);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(["v0", "v5"]);
  });

  it("drops a page whose write fails, and a removed page gets nothing", async () => {
    const hub = new LiveHub({ render: () => "x", throttleMs: 10 });
    hub.add({ send: () => Promise.reject(new Error("closed")) });
    const sent: string[] = [];
    const remove = hub.add({ send: async (t) => void sent.push(t) });
    await vi.advanceTimersByTimeAsync(0);
    expect(hub.size).toBe(1);
    remove();
    hub.changed();
    await vi.advanceTimersByTimeAsync(10);
    expect(hub.size).toBe(0);
    expect(sent).toEqual(["x"]);
  });
});
