import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { statusCli, takeRecordId } from "../src/config.js";

describe("status command line", () => {
  it("takes the record id wherever it stands, leaving flag values alone", () => {
    expect(takeRecordId(["--tables", "orders:customer_id", "r-1", "--json"])).toEqual({
      recordId: "r-1",
      rest: ["--tables", "orders:customer_id", "--json"],
      extra: [],
    });
    expect(takeRecordId(["--list", "--state", "failed"])).toEqual({
      rest: ["--list", "--state", "failed"],
      extra: [],
    });
    expect(takeRecordId(["a", "b"]).extra).toEqual(["b"]);
  });

  it("refuses an unknown state and a bad table list, naming the flag", () => {
    for (const argv of [
      ["--list", "--state", "done"],
      ["--tables", "nope"],
    ]) {
      const parsed = parseOptions(statusCli, argv, {});
      expect(parsed.kind).toBe("error");
      if (parsed.kind === "error")
        expect(parsed.message).toContain(`--${argv[argv.length - 2]?.replace("--", "")}`);
    }
  });

  it("takes --bulk with a bulk id (its value is not the record id) and refuses one no bulk could have", () => {
    expect(takeRecordId(["--bulk", "delete-tenant-3", "--json"])).toEqual({
      rest: ["--bulk", "delete-tenant-3", "--json"],
      extra: [],
    });
    const parsed = parseOptions(statusCli, ["--bulk", "delete-tenant-3", "--json"], {});
    expect(parsed.kind).toBe("ok");
    if (parsed.kind === "ok") expect(parsed.config).toMatchObject({ bulk: "delete-tenant-3", json: true });
    const bad = parseOptions(statusCli, ["--bulk", "../etc"], {});
    expect(bad.kind).toBe("error");
    if (bad.kind === "error") expect(bad.message).toContain("--bulk");
  });

  it("takes the workers' token and payload keys, and refuses a key it cannot use, naming it", () => {
    const parsed = parseOptions(statusCli, [], { RESONATE_ENCRYPTION_KEY: "k1:c2hvcnQ=" });
    expect(parsed.kind).toBe("error");
    if (parsed.kind === "error") {
      expect(parsed.message).toMatch(
        /^RESONATE_ENCRYPTION_KEY = \(set; not shown\): key k1: the key must be 32 bytes/,
      );
    }
  });
});
