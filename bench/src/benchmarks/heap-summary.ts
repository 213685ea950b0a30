// Compares two V8 heap snapshots (before and after `count` things were added) and prints what one
// of them costs and what holds it (src/harness/heap-summary.ts). A tool for the memory benchmark's
// kept snapshots (--profile-dir), not a benchmark: it writes no result file.
import { benchCli } from "../harness/args.ts";
import { compareSnapshots } from "../harness/heap-summary.ts";

const USAGE = `Usage: pnpm bench heap-summary --before FILE --after FILE [--count N] [--top N]

  --before FILE   heap snapshot (.heapsnapshot) taken before the things were added
  --after FILE    heap snapshot taken after
  --count N       things added between the two (default 1): figures are per thing
  --top N         holders and kinds listed (default 25)
  --help          this text`;
const cli = benchCli("heap-summary", USAGE, {
  before: { type: "string" },
  after: { type: "string" },
  count: { type: "string", default: "1" },
  top: { type: "string", default: "25" },
});
const { before, after } = cli.values;
if (!before || !after) cli.fail("--before and --after are required");
const result = await compareSnapshots(
  before as string,
  after as string,
  cli.integer("count"),
  cli.integer("top"),
);
const bytes = (x: number) => `${x.toFixed(0).padStart(7)} B`;
console.log(`${bytes(result.bytesPerWorkflow)} per added thing in all\n\nheld by:`);
for (const h of result.holders) {
  console.log(`${bytes(h.bytesPerWorkflow)}  ${h.holder} (${h.holdersPerWorkflow.toFixed(2)} each)`);
  console.log(`           ${h.madeOf.map((k) => `${k.kind} ${k.bytesPerWorkflow.toFixed(0)}`).join(", ")}`);
}
console.log("\nby kind (own sizes):");
for (const k of result.kinds)
  console.log(`${bytes(k.bytesPerWorkflow)} ${k.countPerWorkflow.toFixed(2).padStart(8)} × ${k.kind}`);
