import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { seedCli } from "../src/config.js";

describe("seed options", () => {
  it("reads ranges and counts", () => {
    const parsed = parseOptions(seedCli, ["-n", "20", "--orders", "2-3", "--lines", "4"], {});
    expect(parsed).toMatchObject({
      kind: "ok",
      config: { records: 20, orders: { min: 2, max: 3 }, lines: { min: 4, max: 4 } },
    });
  });

  it("names a bad range", () => {
    const parsed = parseOptions(seedCli, ["--orders", "5-2"], {});
    expect(parsed).toMatchObject({ kind: "error" });
    if (parsed.kind === "error") expect(parsed.message).toContain("--orders");
  });
});
