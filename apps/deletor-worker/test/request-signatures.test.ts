import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseOptions } from "@deletion/cli-kit";
import { afterAll, describe, expect, it } from "vitest";
import { workerCli } from "../src/config.js";
import { requestKeyringOf } from "../src/request-signatures.js";

const dir = mkdtempSync(join(tmpdir(), "worker-request-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const publicKeyFile = (name: string, type: "ed25519" | "x25519" = "ed25519") => {
  const path = join(dir, name);
  const { publicKey } = type === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("x25519");
  writeFileSync(path, String(publicKey.export({ type: "spki", format: "pem" })));
  return path;
};
const parse = (env: Record<string, string>) => parseOptions(workerCli, [], env);

describe("REQUEST_SIGNATURE_KEYS", () => {
  it("off by default: no keyring, requests are not checked", () => {
    const result = parse({});
    expect(result.kind).toBe("ok");
    if (result.kind === "ok") expect(requestKeyringOf(result.config)).toBeUndefined();
  });

  it("reads one Ed25519 public key per key id", () => {
    const result = parse({
      REQUEST_SIGNATURE_KEYS: `p1=${publicKeyFile("p1.pub")}, p2=${publicKeyFile("p2.pub")}`,
    });
    expect(result.kind).toBe("ok");
    if (result.kind === "ok")
      expect([...(requestKeyringOf(result.config)?.keys() ?? [])]).toEqual(["p1", "p2"]);
  });

  it("refuses entries that are not <id>=<file>, a repeated id, a missing file or another kind of key, naming the setting", () => {
    const p1 = publicKeyFile("p1b.pub");
    const result = parse({
      REQUEST_SIGNATURE_KEYS: [
        "no-file",
        `p1=${p1}`,
        `p1=${p1}`,
        `p3=${join(dir, "absent.pub")}`,
        `p4=${publicKeyFile("x.pub", "x25519")}`,
      ].join(","),
    });
    expect(result.kind).toBe("error");
    const message = result.kind === "error" ? result.message : "";
    expect(message).toContain('REQUEST_SIGNATURE_KEYS: "no-file" is not <key id>=<file>');
    expect(message).toContain("key id p1 is given twice");
    expect(message).toMatch(/key p3: cannot read/);
    expect(message).toContain("is a x25519 key, not Ed25519");
  });
});
