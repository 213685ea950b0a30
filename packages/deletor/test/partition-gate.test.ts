import { describe, expect, it } from "vitest";
import type { PartitionControl, TopicPartition } from "../src/consumer-port.js";
import { PartitionGate } from "../src/partition-gate.js";
import type { ControlCall } from "./worker-fakes.js";

function recordingControl(): PartitionControl & { calls: ControlCall[] } {
  const calls: ControlCall[] = [];
  const names = (ps: TopicPartition[]) => ps.map((p) => `${p.topic}/${p.partition}`);
  return {
    calls,
    pause: (ps) => calls.push({ op: "pause", partitions: names(ps) }),
    resume: (ps) => calls.push({ op: "resume", partitions: names(ps) }),
    seek: (p, offset) => calls.push({ op: "seek", partition: `${p.topic}/${p.partition}`, offset }),
  };
}

const p0 = { topic: "t", partition: 0 };
const p1 = { topic: "t", partition: 1 };
const p2 = { topic: "t", partition: 2 };

describe("PartitionGate", () => {
  it("admits every message while open, touching no partition", () => {
    const control = recordingControl();
    const gate = new PartitionGate(control);
    expect(gate.admit(p0, "0")).toBe(true);
    expect(gate.admit(p1, "0")).toBe(true);
    expect(control.calls).toEqual([]);
  });

  it("while closed, refuses messages and pauses each partition at its first refused message", () => {
    const control = recordingControl();
    const gate = new PartitionGate(control);
    gate.close();
    expect(gate.admit(p0, "7")).toBe(false);
    // Fetched before the pause took effect: refused, no second pause, the resume point stays.
    expect(gate.admit(p0, "8")).toBe(false);
    expect(gate.admit(p1, "3")).toBe(false);
    expect(control.calls).toEqual([
      { op: "pause", partitions: ["t/0"] },
      { op: "pause", partitions: ["t/1"] },
    ]);
    expect(gate.heldPartitions).toBe(2);
  });

  it("on open, seeks each held partition to its first refused message, then resumes them", () => {
    const control = recordingControl();
    const gate = new PartitionGate(control);
    gate.close();
    gate.admit(p0, "7");
    gate.admit(p0, "8");
    gate.admit(p1, "3");
    control.calls.length = 0;

    gate.open();
    expect(control.calls).toEqual([
      { op: "seek", partition: "t/0", offset: "7" },
      { op: "seek", partition: "t/1", offset: "3" },
      { op: "resume", partitions: ["t/0", "t/1"] },
    ]);
    expect(gate.admit(p0, "7")).toBe(true);
    expect(gate.heldPartitions).toBe(0);
  });

  it("leaves alone a partition that delivered nothing while closed", () => {
    const control = recordingControl();
    const gate = new PartitionGate(control);
    gate.close();
    gate.admit(p1, "3");
    gate.open();
    expect(control.calls.filter((c) => c.op === "seek")).toEqual([
      { op: "seek", partition: "t/1", offset: "3" },
    ]);
  });

  it("releases revoked partitions: resumed, and never sought on open", () => {
    const control = recordingControl();
    const gate = new PartitionGate(control);
    gate.close();
    gate.admit(p0, "7");
    gate.admit(p1, "3");
    control.calls.length = 0;

    gate.revoke([p0, p2]);
    expect(control.calls).toEqual([{ op: "resume", partitions: ["t/0"] }]);
    gate.open();
    expect(control.calls.slice(1)).toEqual([
      { op: "seek", partition: "t/1", offset: "3" },
      { op: "resume", partitions: ["t/1"] },
    ]);
  });

  it("once shut (shutdown), pauses the assignment and admits nothing, even after open()", () => {
    const control = recordingControl();
    const gate = new PartitionGate(control);
    gate.close();
    gate.admit(p0, "7");
    control.calls.length = 0;

    gate.shut([p0, p1]);
    gate.open();
    expect(gate.admit(p1, "0")).toBe(false);
    expect(control.calls).toEqual([{ op: "pause", partitions: ["t/0", "t/1"] }]);
  });
});
