import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const dist = new URL("../dist/", import.meta.url);

describe("the built page", () => {
  it("is three files that load nothing from another host", () => {
    expect(readdirSync(dist).sort()).toEqual(["app.css", "app.js", "index.html"]);
    const html = readFileSync(new URL("index.html", dist), "utf8");
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.sort()).toEqual(["/assets/app.css", "/assets/app.js"]);
    const js = readFileSync(new URL("app.js", dist), "utf8");
    // No import of a module by URL, and no remote script or font the page would fetch.
    expect(js).not.toMatch(/import\s*\(?\s*["']https?:/);
    expect(js).not.toMatch(/from\s*["']https?:/);
    const css = readFileSync(new URL("app.css", dist), "utf8");
    expect(css).not.toMatch(/url\(|@import/);
  });
});
