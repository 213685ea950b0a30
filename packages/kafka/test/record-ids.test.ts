import { RecordIdSchema } from "@deletion/contracts";
import { describe, expect, it } from "vitest";
import { idDigits, newRunId, recordIdFor } from "../src/record-ids.js";

describe("record ids", () => {
  it("pads the sequence to six digits, starting at 1", () => {
    expect(recordIdFor("run1", 1, idDigits(25))).toBe("run1-000001");
    expect(recordIdFor("run1", 25, idDigits(25))).toBe("run1-000025");
  });

  it("widens the padding when the count needs more digits, so all ids of a run have one width", () => {
    expect(idDigits(999_999)).toBe(6);
    expect(idDigits(1_000_000)).toBe(7);
    expect(recordIdFor("p", 1, idDigits(1_000_000))).toBe("p-0000001");
  });

  it("gives distinct, valid record ids within a run", () => {
    const digits = idDigits(10_000);
    const ids = Array.from({ length: 10_000 }, (_, i) => recordIdFor("abc", i + 1, digits));
    expect(new Set(ids).size).toBe(10_000);
    for (const id of ids.slice(0, 50)) expect(RecordIdSchema.safeParse(id).success).toBe(true);
  });

  it("makes run ids that differ between runs and are valid id prefixes", () => {
    const runs = Array.from({ length: 1000 }, () => newRunId());
    expect(new Set(runs).size).toBe(1000);
    for (const run of runs) {
      expect(run).toMatch(/^[0-9a-f]{8}$/);
      expect(RecordIdSchema.safeParse(recordIdFor(run, 1, 6)).success).toBe(true);
    }
  });
});
