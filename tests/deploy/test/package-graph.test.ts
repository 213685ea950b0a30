import { describe, expect, it } from "vitest";
import { cycles, LAYERS, layerOf, runtimeArrows, sourceImports } from "../support/package-graph.js";
import { workspacePackages } from "../support/repo.js";

const packages = workspacePackages();
const byName = new Map(packages.map((p) => [p.name, p]));
const layerNamed = (name: string) => {
  const pkg = byName.get(name);
  return pkg && layerOf(pkg);
};
const rank = (name: string) => {
  const layer = layerNamed(name);
  return layer === undefined ? -1 : LAYERS.indexOf(layer);
};

describe("the house drawn from the imports", () => {
  it("every workspace package has a layer", () => {
    const unplaced = packages.filter((p) => layerOf(p) === undefined).map((p) => p.name);
    expect(unplaced, "add these to PACKAGE_LAYERS in tests/deploy/support/package-graph.ts").toEqual([]);
  });

  it("run-time dependencies form no cycle", () => {
    expect(cycles(runtimeArrows(packages))).toEqual([]);
  });

  it("no run-time dependency points to a higher layer (apps -> domain -> adapters -> contracts)", () => {
    const upward = runtimeArrows(packages)
      .filter(({ from, to }) => rank(to) > rank(from))
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(upward).toEqual([]);
  });

  it("nothing outside the tests depends on the test kit or the benchmarks at run time", () => {
    const onTestOnly = runtimeArrows(packages)
      .filter(({ from, to }) => layerNamed(to) === "test" && layerNamed(from) !== "test")
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(onTestOnly).toEqual([]);
  });

  it("every workspace package a src/ or bin/ file imports is a declared run-time dependency", () => {
    const undeclared = packages.flatMap((p) =>
      [...sourceImports(p)]
        .filter((dep) => dep !== p.name && !(dep in (p.manifest.dependencies ?? {})))
        .map((dep) => `${p.name} imports ${dep}`),
    );
    expect(undeclared).toEqual([]);
  });

  it("finds a cycle when one exists (the check itself works)", () => {
    expect(
      cycles([
        { from: "a", to: "b" },
        { from: "b", to: "c" },
        { from: "c", to: "a" },
      ]),
    ).toEqual([["a", "b", "c", "a"]]);
  });
});
