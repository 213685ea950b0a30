import { describe, expect, it, vi } from "vitest";
import { Dispatcher } from "../src/dispatcher.js";
import { SERVER_DURABILITY } from "../src/durability.js";
import { WorkerMetrics } from "../src/metrics.js";
import { PartitionOffsets } from "../src/offset-tracker.js";
import { capturingLogger, FakeRuntime, requestMessage } from "./worker-fakes.js";

describe("Dispatcher running count", () => {
  it("counts workflows started or attached to until they end, and says when it drops", async () => {
    const runtime = new FakeRuntime();
    let changes = 0;
    const dispatcher = new Dispatcher({
      runtime,
      durability: SERVER_DURABILITY,
      publishDeadLetter: async () => {},
      batchSleepMs: 0,
      logger: capturingLogger().logger,
      metrics: new WorkerMetrics({ processMetrics: false }),
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
      onRunningChanged: () => changes++,
    });
    const partition = new PartitionOffsets("requests", 0);
    dispatcher.accept(requestMessage("a", 0, 0), partition);
    expect(dispatcher.running).toBe(1); // counted at once, before its promise exists
    dispatcher.accept(requestMessage("b", 0, 1), partition);
    dispatcher.accept(requestMessage("a", 0, 2), partition); // a duplicate follows the same workflow
    await vi.waitFor(() => expect(dispatcher.startsInFlight).toBe(0));
    expect(dispatcher.running).toBe(2);
    expect(partition.commitPosition()).toBe(3n); // with a server all three are safe already

    runtime.finish("a");
    await vi.waitFor(() => expect(dispatcher.running).toBe(1));
    runtime.finish("b");
    await vi.waitFor(() => expect(dispatcher.running).toBe(0));
    expect(changes).toBeGreaterThanOrEqual(2);
  });
});
