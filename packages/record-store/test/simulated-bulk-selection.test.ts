import { describe, expect, it } from "vitest";
import { SimulatedBulkSelection, selectionProblem, UnknownSelectorError } from "../src/index.js";

const population = Array.from({ length: 7 }, (_, i) => ({
  id: `c-${i + 1}`,
  fields: { tenant: i % 2 === 0 ? "acme" : "other" },
}));
const acme = { kind: "selector" as const, selector: "tenant", params: { tenant: "acme" } };

describe("simulated bulk selection", () => {
  it("soft deletes the selection in keyset batches, counting flags once", async () => {
    const store = new SimulatedBulkSelection({ records: population, selectors: ["tenant"] });
    const first = await store.softDeleteBatch(acme, null, 3);
    expect(first).toEqual({ matched: 3, marked: 3, last: "c-5" });
    const second = await store.softDeleteBatch(acme, first.last, 3);
    expect(second).toEqual({ matched: 1, marked: 1, last: null });
    expect([...store.flagged].sort()).toEqual(["c-1", "c-3", "c-5", "c-7"]);
    expect(await store.softDeleteBatch(acme, null, 10)).toEqual({ matched: 4, marked: 0, last: null });
  });

  it("pages ids and reports (and restores) the rest after a point", async () => {
    const store = new SimulatedBulkSelection({ records: population, selectors: ["tenant"] });
    await store.softDeleteBatch(acme, null, 10);
    expect(await store.pageIds(acme, null, 2)).toEqual({ ids: ["c-1", "c-3"], last: "c-3" });
    expect(await store.rest(acme, "c-3", true)).toEqual({ notRequested: 2, restored: 2 });
    expect([...store.flagged].sort()).toEqual(["c-1", "c-3"]);
  });

  it("refuses a selector that is not configured, and parameters that do not fit", async () => {
    const store = new SimulatedBulkSelection({ records: population, selectors: ["tenant"] });
    await expect(
      store.pageIds({ kind: "selector", selector: "region", params: { region: "eu" } }, null, 5),
    ).rejects.toBeInstanceOf(UnknownSelectorError);
    expect(selectionProblem({ kind: "selector", selector: "tenant", params: {} }, store.selectors())).toMatch(
      /takes the parameters tenant; got none/,
    );
    expect(selectionProblem({ kind: "ids", ids: ["x"] }, store.selectors())).toBeUndefined();
  });
});
