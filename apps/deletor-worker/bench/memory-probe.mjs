// Loaded into the worker by memory.mjs (node --expose-gc --import this-file dist/main.js); the
// worker's own code is unchanged. On SIGUSR2 it collects garbage (twice, a moment apart, so
// objects freed by finalizers of the first go too), prints one JSON line with the process's
// memory, and then, when BENCH_HEAP_SNAPSHOT_DIR names a directory, writes a heap snapshot there
// (after the figures: a snapshot itself takes memory).
import { join } from "node:path";
import v8 from "node:v8";

// memory.mjs reads these lines by this name; nothing is imported from here (that would install
// the handler in the reader too).
const MEMORY_EVENT = "bench_memory";

const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
let probes = 0;
process.on("SIGUSR2", () => {
  globalThis.gc();
  setTimeout(() => {
    globalThis.gc();
    const usage = process.memoryUsage();
    probes++;
    process.stdout.write(`${JSON.stringify({ event: MEMORY_EVENT, probe: probes, ...usage })}\n`);
    if (snapshotDir) {
      const file = v8.writeHeapSnapshot(join(snapshotDir, `probe-${probes}.heapsnapshot`));
      process.stdout.write(`${JSON.stringify({ event: `${MEMORY_EVENT}_snapshot`, probe: probes, file })}\n`);
    }
  }, 500);
});
