import { describe, expect, it } from "vitest";
import { FlowControl } from "../src/flow-control.js";

describe("FlowControl", () => {
  const bounds = { maxInFlight: 10, maxRunning: 4 };

  it("closes when in-flight records reach their bound, not before", () => {
    const flow = new FlowControl(bounds);
    expect(flow.update({ inFlight: 9, running: 0 })).toBeUndefined();
    expect(flow.update({ inFlight: 10, running: 0 })).toEqual({ kind: "close", bound: "in-flight" });
    expect(flow.closed).toBe(true);
  });

  it("closes when running workflows reach their bound, however few records are in flight", () => {
    const flow = new FlowControl(bounds);
    // With a server, records are safe at once: nothing in flight, yet four workflows run here.
    expect(flow.update({ inFlight: 0, running: 3 })).toBeUndefined();
    expect(flow.update({ inFlight: 0, running: 4 })).toEqual({ kind: "close", bound: "running" });
  });

  it("says close once, and opens only when both loads are down to half their bound", () => {
    const flow = new FlowControl(bounds);
    flow.update({ inFlight: 10, running: 4 });
    expect(flow.update({ inFlight: 10, running: 4 })).toBeUndefined();
    expect(flow.update({ inFlight: 6, running: 0 })).toBeUndefined(); // in flight still above half
    expect(flow.update({ inFlight: 5, running: 3 })).toBeUndefined(); // running still above half
    expect(flow.update({ inFlight: 5, running: 2 })).toEqual({ kind: "open" });
    expect(flow.closed).toBe(false);
    expect(flow.update({ inFlight: 5, running: 2 })).toBeUndefined();
  });

  it("refuses a bound below 1", () => {
    expect(() => new FlowControl({ maxInFlight: 0, maxRunning: 4 })).toThrow(/maxInFlight/);
    expect(() => new FlowControl({ maxInFlight: 1, maxRunning: 0.5 })).toThrow(/maxRunning/);
  });
});
