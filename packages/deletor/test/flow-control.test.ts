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

  it("says close once, and opens when the load that closed it is down to half its bound", () => {
    const flow = new FlowControl(bounds);
    expect(flow.update({ inFlight: 10, running: 1 })).toEqual({ kind: "close", bound: "in-flight" });
    expect(flow.update({ inFlight: 10, running: 1 })).toBeUndefined();
    expect(flow.update({ inFlight: 6, running: 1 })).toBeUndefined(); // in flight still above half
    expect(flow.update({ inFlight: 5, running: 1 })).toEqual({ kind: "open" });
    expect(flow.closed).toBe(false);
    expect(flow.update({ inFlight: 5, running: 1 })).toBeUndefined();
  });

  it("opens with the other load above half its bound, but not at it", () => {
    const flow = new FlowControl(bounds);
    flow.update({ inFlight: 10, running: 3 });
    expect(flow.update({ inFlight: 2, running: 4 })).toBeUndefined(); // running at its bound
    expect(flow.update({ inFlight: 2, running: 3 })).toEqual({ kind: "open" });
  });

  it("closed by running workflows, opens once they are down to half, whatever is in flight below its bound", () => {
    const flow = new FlowControl(bounds);
    expect(flow.update({ inFlight: 0, running: 4 })).toEqual({ kind: "close", bound: "running" });
    expect(flow.update({ inFlight: 9, running: 3 })).toBeUndefined(); // running still above half
    expect(flow.update({ inFlight: 10, running: 2 })).toBeUndefined(); // in flight at its bound
    expect(flow.update({ inFlight: 9, running: 2 })).toEqual({ kind: "open" });
  });

  it("refuses a bound below 1", () => {
    expect(() => new FlowControl({ maxInFlight: 0, maxRunning: 4 })).toThrow(/maxInFlight/);
    expect(() => new FlowControl({ maxInFlight: 1, maxRunning: 0.5 })).toThrow(/maxRunning/);
  });
});
