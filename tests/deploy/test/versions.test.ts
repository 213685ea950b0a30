import { describe, expect, it } from "vitest";
import { loadCompose, parseImageRef, service } from "../support/compose.js";
import { codeBlockLines } from "../support/compose-commands.js";
import { readText } from "../support/repo.js";
import { PINNED_IMAGES, type PinnedService, REJECTED_RESONATE_TAGS } from "../support/versions.js";

const compose = loadCompose();
const pinnedServices = Object.keys(PINNED_IMAGES) as PinnedService[];
const resonateTag = parseImageRef(PINNED_IMAGES.resonate).tag as string;

describe("pinned third-party images", () => {
  it("every image compose pulls (rather than builds) is one of the deliberate pins", () => {
    const pulled = Object.entries(compose.services)
      .filter(([, svc]) => svc.build === undefined)
      .map(([name]) => name);
    expect(pulled.sort()).toEqual([...pinnedServices].sort());
  });

  for (const name of pinnedServices) {
    it(`${name} runs exactly ${PINNED_IMAGES[name]}`, () => {
      expect(service(compose, name).image).toBe(PINNED_IMAGES[name]);
    });
  }

  it("the Resonate server is v0.9.8, not a release known not to work with the SDK", () => {
    const tag = parseImageRef(service(compose, "resonate").image ?? "").tag;
    expect(tag).toBe("v0.9.8");
    expect(REJECTED_RESONATE_TAGS as readonly string[]).not.toContain(tag);
    expect(readText("docker-compose.yml")).not.toMatch(/resonate:v0\.9\.[0-7]\b/);
  });

  it("Redpanda is on the v26.2 line and Console on v3 (v24.3 and Console v2 are gone)", () => {
    expect(parseImageRef(service(compose, "redpanda").image ?? "").tag).toMatch(/^v26\.2\.\d+$/);
    expect(parseImageRef(service(compose, "redpanda-console").image ?? "").tag).toMatch(/^v3\.\d+\.\d+$/);
  });

  it("the test kit's PostgreSQL container uses the same image as compose", () => {
    const source = readText("packages/test-kit/src/start-postgres.ts");
    expect(/export const POSTGRES_IMAGE = "([^"]+)"/.exec(source)?.[1]).toBe(PINNED_IMAGES.postgres);
  });

  it("the test kit's Redpanda container uses the same image as compose", () => {
    const source = readText("packages/test-kit/src/start-broker.ts");
    const constant = /export const REDPANDA_IMAGE = "([^"]+)"/.exec(source)?.[1];
    expect(constant, "REDPANDA_IMAGE not found in start-broker.ts").toBeDefined();
    expect(constant).toBe(PINNED_IMAGES.redpanda);
  });
});

// The README's deployment page holds the pinned versions and the server without Docker.
describe("docs/deployment.md on versions and on a server without Docker", () => {
  const readme = readText("docs/deployment.md");
  const code = codeBlockLines(readme).join("\n");

  it("names every pinned image and no replaced one", () => {
    for (const image of Object.values(PINNED_IMAGES)) expect(readme).toContain(image);
    expect(readme).not.toMatch(/resonate:v0\.9\.4|redpanda:v24\.3|console:v2\./);
  });

  it("says how to get the same server release as a binary or from source", () => {
    expect(readme).toContain(`resonate-${resonateTag}-x86_64-linux-gnu.xz`);
    expect(code).toMatch(/RESONATE_SERVER_ARCHIVE=\S+ bash scripts\/setup\.sh/);
    expect(readme).toContain("RESONATE_SERVER_BIN");
    expect(code).toContain(`git clone --branch ${resonateTag} https://github.com/resonatehq/resonate`);
    expect(code).toContain("cargo build --release");
  });

  it("shows how to run it durably, with its metrics port", () => {
    expect(code).toMatch(/resonate serve --server-port 8001 --storage-sqlite-path \S+\.db/);
    expect(readme).toContain("--observability-metrics-port");
  });
});

describe("deploy/README.md service table and examples", () => {
  const text = readText("deploy/README.md");
  const rows = new Map(
    [...text.matchAll(/^\|\s*`([a-z-]+)`\s*\|\s*`([^`]+)`\s*\|/gm)].map((m) => [m[1], m[2]]),
  );

  it("lists each pulled image exactly as compose runs it", () => {
    for (const name of pinnedServices) {
      expect(rows.get(name), `deploy/README.md table row for ${name}`).toBe(service(compose, name).image);
    }
    expect(text).not.toMatch(/resonate:v0\.9\.4|redpanda:v24\.3|console:v2\./);
  });

  it("has a well-formed promise.get request for the server", () => {
    const body = /curl [^\n]*localhost:8001\/[^\n]*\n\s*-d '([^']+)'/.exec(text)?.[1];
    expect(body, "no curl ... -d '<json>' example against localhost:8001").toBeDefined();
    const request = JSON.parse(body ?? "{}") as { kind?: string; data?: { id?: string } };
    expect(request.kind).toBe("promise.get");
    expect(request.data?.id).toBeTypeOf("string");
  });

  it("says how to run the same server release without Docker", () => {
    expect(text).toContain(`git clone --branch ${resonateTag} https://github.com/resonatehq/resonate`);
    expect(text).toMatch(/resonate serve --server-port 8001 --storage-sqlite-path \S+\.db/);
  });
});
