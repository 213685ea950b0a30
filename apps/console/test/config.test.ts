import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseOptions } from "@deletion/cli-kit";
import { afterAll, describe, expect, it } from "vitest";
import { consoleCli } from "../src/config.js";

const dir = mkdtempSync(join(tmpdir(), "console-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const parse = (env: Record<string, string>) => parseOptions(consoleCli, [], env);

describe("console configuration", () => {
  it("listens on loopback by default and reads the token from its file", () => {
    const parsed = parse({ CONSOLE_TOKEN_FILE: file("good", `${"a1".repeat(32)}\n`) });
    expect(parsed.kind).toBe("ok");
    if (parsed.kind !== "ok") return;
    expect(parsed.config).toMatchObject({ host: "127.0.0.1", port: 8090, workerUrls: [] });
  });

  it("refuses to start without a token file, with a weak token, or with a bad worker URL, naming each", () => {
    const missing = parse({});
    expect(missing.kind === "error" && missing.message).toContain("CONSOLE_TOKEN_FILE");
    const unreadable = parse({ CONSOLE_TOKEN_FILE: join(dir, "absent") });
    expect(unreadable.kind === "error" && unreadable.message).toMatch(/CONSOLE_TOKEN_FILE: cannot read it/);
    const weak = parse({ CONSOLE_TOKEN_FILE: file("weak", "changeme") });
    expect(weak.kind === "error" && weak.message).toMatch(
      /CONSOLE_TOKEN_FILE: the token in the file is a placeholder/,
    );
    const short = parse({ CONSOLE_TOKEN_FILE: file("short", "abc123") });
    expect(short.kind === "error" && short.message).toMatch(/is 6 characters; at least 32 are needed/);
    const badUrl = parse({
      CONSOLE_TOKEN_FILE: file("good2", "b2".repeat(32)),
      CONSOLE_WORKER_URLS: "http://w:9464,ftp://nope",
    });
    expect(badUrl.kind === "error" && badUrl.message).toContain("CONSOLE_WORKER_URLS");
  });
});
