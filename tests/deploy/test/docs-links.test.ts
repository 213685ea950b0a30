import { describe, expect, it } from "vitest";
import { codePaths, documentPaths, missing, relativeLinks } from "../support/doc-links.js";
import { readText } from "../support/repo.js";

const documents = documentPaths();

describe("README.md and docs/**: every reference resolves", () => {
  it("reads the README and the docs, decision records included", () => {
    expect(documents).toContain("README.md");
    expect(documents).toContain("docs/decisions/README.md");
  });

  it.each(documents)("%s: every relative link names an existing file", (doc) => {
    expect(missing(relativeLinks(doc, readText(doc)))).toEqual([]);
  });

  it.each(documents)("%s: every repository path in inline code exists", (doc) => {
    expect(missing(codePaths(doc, readText(doc)))).toEqual([]);
  });

  it("every decision record is indexed in docs/decisions/README.md", () => {
    const indexed = new Set(
      relativeLinks("docs/decisions/README.md", readText("docs/decisions/README.md")).map((l) => l.target),
    );
    const records = documents.filter((d) => d.startsWith("docs/decisions/") && !d.endsWith("/README.md"));
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((r) => !indexed.has(r))).toEqual([]);
  });
});

describe("reading references", () => {
  const doc = "docs/page.md";

  it("resolves links from the document's folder, without anchors, schemes or code blocks", () => {
    const text = [
      "See [a](decisions/a.md#why), [b](../README.md), [web](https://example.com) and [here](#top).",
      "```sh",
      "[not a link](nowhere.md)",
      "```",
    ].join("\n");
    expect(relativeLinks(doc, text).map((l) => [l.line, l.target])).toEqual([
      [1, "docs/decisions/a.md"],
      [1, "README.md"],
    ]);
  });

  it("reads repository paths in inline code, a bare name beside the path before it, no placeholders", () => {
    const text = [
      "| the workflow | `packages/workflows/src/deletion-workflow.ts`, `batch-step.ts` |",
      "| the apps | `apps/<app>/src/`, `main.ts` | `--help` |",
      "Run `pnpm bench` and read `bench/results/`.",
    ].join("\n");
    expect(codePaths(doc, text).map((p) => p.target)).toEqual([
      "packages/workflows/src/deletion-workflow.ts",
      "packages/workflows/src/batch-step.ts",
      "bench/results/",
    ]);
  });

  it("names what is missing with the document and line", () => {
    const refs = relativeLinks(doc, "first line\n[gone](decisions/no-such-record.md)");
    expect(missing(refs)).toEqual([
      "docs/page.md:2: decisions/no-such-record.md (docs/decisions/no-such-record.md does not exist)",
    ]);
  });
});
