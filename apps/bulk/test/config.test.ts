import { parseOptions } from "@deletion/cli-kit";
import { describe, expect, it } from "vitest";
import { bulkCli, takeCommand } from "../src/config.js";

describe("bulk command line", () => {
  it("takes the command and its argument out, leaving flags and their values alone", () => {
    expect(takeCommand(["cancel", "delete-tenant-3", "--restore"])).toEqual({
      positionals: ["cancel", "delete-tenant-3"],
      rest: ["--restore"],
    });
    expect(takeCommand(["submit", "--selector", "tenant", "--param", "tenant=acme"])).toEqual({
      positionals: ["submit"],
      rest: ["--selector", "tenant", "--param", "tenant=acme"],
    });
  });

  it("reads a selector's parameters as name=value pairs", () => {
    const parsed = parseOptions(bulkCli, ["--selector", "tenant", "--param", "tenant=acme,region=eu"], {});
    expect(parsed.kind).toBe("ok");
    if (parsed.kind === "ok") {
      expect(parsed.config.selector).toBe("tenant");
      expect(parsed.config.params).toEqual({ tenant: "acme", region: "eu" });
    }
  });

  it("refuses a parameter that is not name=value and a selector name that could carry SQL, naming the flag", () => {
    for (const argv of [
      ["--param", "tenant"],
      ["--param", "=acme"],
      ["--selector", "tenant; drop table customers"],
    ]) {
      const parsed = parseOptions(bulkCli, argv, {});
      expect(parsed.kind, argv.join(" ")).toBe("error");
      if (parsed.kind === "error") expect(parsed.message).toContain(argv[0]);
    }
  });
});
