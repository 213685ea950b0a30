import { execFile } from "node:child_process";
import { randomUUID, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startResonateServer } from "@deletion/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";

/*
 * The secured compose variant makes its certificates and tokens with deploy/secure/generate-secrets.sh
 * (in an Alpine container there). The same script runs here, and what it makes is checked against
 * the real thing: the broker certificate against its CA and names, the tokens against a Resonate
 * server started with the script's public key.
 */
const script = new URL("../../../deploy/secure/generate-secrets.sh", import.meta.url).pathname;
const run = promisify(execFile);

let dir: string;
let secrets: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "compose-secrets-"));
  secrets = join(dir, "secrets");
  const { stdout } = await run("sh", [script], { env: { ...process.env, SECRETS_DIR: secrets } });
  expect(stdout).toMatch(/tokens made/);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = (name: string) => readFile(join(secrets, name), "utf8");

describe("the secured compose variant's secrets (deploy/secure/generate-secrets.sh)", () => {
  it("makes a broker certificate the CA signed, for the names the apps connect to, and keeps no private key but the broker's", async () => {
    const ca = new X509Certificate(await file("ca.crt"));
    const broker = new X509Certificate(await file("broker.crt"));
    expect(broker.verify(ca.publicKey)).toBe(true);
    expect(broker.checkHost("redpanda")).toBe("redpanda");
    expect(broker.checkHost("localhost")).toBe("localhost");
    expect(broker.checkHost("attacker.example")).toBeUndefined();
    expect((await stat(join(secrets, "broker.key"))).mode & 0o077).toBe(0);
    const names = (await run("ls", [secrets])).stdout.split("\n").filter(Boolean).sort();
    expect(names).toEqual([
      "broker.crt",
      "broker.key",
      "ca.crt",
      "resonate-auth.pub",
      "status-http.token",
      "status.token",
      "worker.token",
    ]);
  });

  it("makes nothing new when the volume already holds them", async () => {
    const before = await file("worker.token");
    const { stdout } = await run("sh", [script], { env: { ...process.env, SECRETS_DIR: secrets } });
    expect(stdout).toMatch(/already made/);
    expect(await file("worker.token")).toBe(before);
  });

  it.skipIf(!resonateServerUrl)(
    needsServer("makes tokens the Resonate server accepts for the promise prefix only"),
    async () => {
      const server = await startResonateServer({ auth: { publicKeyPem: await file("resonate-auth.pub") } });
      try {
        const token = (await file("worker.token")).trim();
        const create = async (id: string, auth?: string) => {
          const response = await fetch(server.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              kind: "promise.create",
              head: { corrId: randomUUID(), version: "2026-04-01", ...(auth ? { auth } : {}) },
              data: { id, timeoutAt: Date.now() + 60_000, param: { headers: {}, data: "" }, tags: {} },
            }),
            signal: AbortSignal.timeout(10_000),
          });
          const body = (await response.json()) as { head?: { status?: number } };
          return body.head?.status ?? response.status;
        };
        expect(await create(`deletion/${randomUUID()}`, token)).toBe(200);
        expect(await create(`someone-else/${randomUUID()}`, token)).toBe(403);
        // The prefix ends with '/': a sibling namespace that merely starts alike is not reached.
        expect(await create(`deletion-other/${randomUUID()}`, token)).toBe(403);
        expect(await create(`deletion/${randomUUID()}`)).toBe(401);
      } finally {
        await server.dispose();
      }
    },
  );
});
