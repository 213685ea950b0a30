import { describe, expect, it } from "vitest";
import { DEFAULT_PROMISE_PREFIX, PromiseIds, PromisePrefixSchema } from "../src/index.js";

describe("PromiseIds", () => {
  const ids = new PromiseIds();

  it("namespaces a record's first attempt under the prefix and suffixes later attempts", () => {
    expect(DEFAULT_PROMISE_PREFIX).toBe("deletion");
    expect(ids.of("rec-1", 1)).toBe("deletion/rec-1");
    expect(ids.of("rec-1", 2)).toBe("deletion/rec-1/attempt-2");
    expect(ids.of("a.b_c-9", 12)).toBe("deletion/a.b_c-9/attempt-12");
    expect(new PromiseIds("acme/deletion").of("x", 3)).toBe("acme/deletion/x/attempt-3");
  });

  it("never gives the bare record id, nor any id holding ':' (reserved by Resonate)", () => {
    for (const attempt of [1, 2, 30]) {
      const id = ids.of("rec-1", attempt);
      expect(id).not.toBe("rec-1");
      expect(id).not.toContain(":");
    }
  });

  it("parses its own ids back and nothing else", () => {
    expect(ids.parse("deletion/rec-1")).toEqual({ recordId: "rec-1", attempt: 1 });
    expect(ids.parse("deletion/rec-1/attempt-7")).toEqual({ recordId: "rec-1", attempt: 7 });
    for (const other of [
      "rec-1",
      "deletion",
      "deletion/",
      "other/rec-1",
      "deletionx/rec-1",
      "deletion/rec-1/attempt-1", // attempt 1 has no suffix: one attempt, one id
      "deletion/rec-1/attempt-0",
      "deletion/rec-1/attempt-02",
      "deletion/rec-1/retry-2",
      "deletion/rec-1/attempt-2/more",
      "deletion/-bad",
      "deletion/rec-1:1",
    ]) {
      expect(ids.parse(other), other).toBeUndefined();
    }
    for (const attempt of [1, 2, 99])
      expect(ids.parse(ids.of("r", attempt))).toEqual({ recordId: "r", attempt });
  });

  it("refuses attempt numbers below 1", () => {
    expect(() => ids.of("r", 0)).toThrow(RangeError);
    expect(() => ids.of("r", 1.5)).toThrow(RangeError);
  });

  it("accepts prefixes of safe segments joined by '/' and refuses the rest", () => {
    for (const good of ["deletion", "acme/deletion", "team-1.del_v2", "a/b/c"]) {
      expect(PromisePrefixSchema.safeParse(good).success, good).toBe(true);
    }
    for (const bad of [
      "",
      "a:b",
      "/deletion",
      "deletion/",
      "a//b",
      ".hidden",
      "with space",
      "x".repeat(65),
    ]) {
      expect(PromisePrefixSchema.safeParse(bad).success, bad).toBe(false);
    }
    expect(() => new PromiseIds("a:b")).toThrow();
  });
});
