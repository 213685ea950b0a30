// Loaded into the worker by the memory benchmark (node --expose-gc --import this-file dist/main.js); the
// worker's own code is unchanged. On SIGUSR2 it collects garbage (twice, a moment apart, so
// objects freed by finalizers of the first go too), prints one JSON line with the process's
// memory, and then, when BENCH_HEAP_SNAPSHOT_DIR names a directory, writes a heap snapshot there
// (after the figures: a snapshot itself takes memory).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";

// The memory benchmark reads these lines by this name; nothing is imported from here (that would install
// the handler in the reader too).
const MEMORY_EVENT = "bench_memory";

const snapshotDir = process.env.BENCH_HEAP_SNAPSHOT_DIR;

/** Resident memory split as Linux counts it: anonymous (heap, malloc, stacks) and file-backed. */
function residentParts(): { rssAnon?: number; rssFile?: number; rssPeak?: number } {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) * 1024;
    return { rssAnon: kib("RssAnon"), rssFile: kib("RssFile"), rssPeak: kib("VmHWM") };
  } catch {
    return {};
  }
}
let probes = 0;
/** global.gc, there with --expose-gc (the memory benchmark starts the worker with it). */
const collect = (): void => {
  if (!globalThis.gc) throw new Error("memory-probe: run the worker with --expose-gc");
  globalThis.gc();
};
process.on("SIGUSR2", () => {
  collect();
  setTimeout(() => {
    collect();
    const usage = process.memoryUsage();
    const heap = v8.getHeapStatistics();
    probes++;
    process.stdout.write(
      `${JSON.stringify({
        event: MEMORY_EVENT,
        probe: probes,
        ...usage,
        ...residentParts(),
        // Memory V8 allocates outside its heap (with malloc) for itself: zones, compiled code metadata.
        v8Malloced: heap.malloced_memory,
        heapPhysical: heap.total_physical_size,
        spaces: Object.fromEntries(
          v8
            .getHeapSpaceStatistics()
            .map((x) => [
              x.space_name,
              { size: x.space_size, used: x.space_used_size, physical: x.physical_space_size },
            ]),
        ),
      })}\n`,
    );
    if (snapshotDir) {
      const file = v8.writeHeapSnapshot(join(snapshotDir, `probe-${probes}.heapsnapshot`));
      process.stdout.write(`${JSON.stringify({ event: `${MEMORY_EVENT}_snapshot`, probe: probes, file })}\n`);
    }
  }, 500);
});
