import { describe, expect, it } from "vitest";
import { startBroker, uniqueName } from "../src/index.js";

describe("startBroker", () => {
  it("uses KAFKA_BROKERS as is and starts nothing", async () => {
    const broker = await startBroker({ env: { KAFKA_BROKERS: "x:1" }, kind: "kafka" });
    expect(broker).toMatchObject({ kind: "external", bootstrapServers: "x:1" });
    await broker.stop();
  });
});

describe("uniqueName", () => {
  it("gives distinct names made only of Kafka's topic characters", () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName("orders topic/ü")));
    expect(names.size).toBe(100);
    for (const name of names) {
      expect(name).toMatch(/^orders-topic--[a-zA-Z0-9._-]+$/);
      expect(name.length).toBeLessThanOrEqual(249);
    }
  });
});
