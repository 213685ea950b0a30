// `pnpm bench` runs the default set of benchmarks one after the other (each as its own process,
// stopping at the first that fails); `pnpm bench <name> [flags]` runs one with its flags.
import { spawn } from "node:child_process";

interface Benchmark {
  /** What it measures, one line. */
  about: string;
  /** Flags of its run in the default set; absent: not in the default set. */
  defaultFlags?: string[];
  /** Former names (the old scripts'), still accepted. */
  aliases?: string[];
}

/** In the order `pnpm bench` runs the default set. */
const BENCHMARKS: Record<string, Benchmark> = {
  producer: {
    about: "records/s of the producer's code path next to a bare librdkafka loop",
    defaultFlags: [],
    aliases: ["produce"],
  },
  "postgres-batch-cost": {
    about: "the cost of one PostgreSQL batch as the table grows to 10^7 rows",
    defaultFlags: [],
    aliases: ["batch-cost"],
  },
  throughput: {
    about: "records/s of one deployment (1-3 workers, the naive consumer; SQLite and PostgreSQL server)",
    defaultFlags: ["--profile"],
  },
  dispatch: { about: "one worker with the in-process network: records/s and memory", defaultFlags: [] },
  "server-cost": {
    about: "server requests per record, dispatch against the naive pattern, the server's create rate",
    defaultFlags: [],
  },
  "postgres-throughput": {
    about: "rows deleted per second by the PostgreSQL store through the whole pipeline",
    defaultFlags: [],
  },
  "head-of-line": {
    about: "short records behind a long one: this worker against a sequential consumer",
    defaultFlags: [],
  },
  memory: { about: "worker memory per in-flight workflow", defaultFlags: ["--profile"] },
  "foreground-latency": {
    about: "foreground p50/p99 while deleting: idle, unpaced, fixed and adaptive pacing, rows/s each",
    defaultFlags: [],
  },
  "server-storage": {
    about: "Resonate server storage per record deleted (kept for ever by v0.9.8)",
    defaultFlags: [],
  },
  bulk: {
    about: "one bulk deletion of 100,000 customers: time to all soft-deleted, records/s end to end",
    defaultFlags: [],
  },
  "client-pause": {
    about: "does the Kafka client's pause()/resume() lose messages (a check, no result file)",
  },
  "heap-summary": { about: "what holds the objects added between two heap snapshots (a tool)" },
};

const USAGE = `Usage: pnpm bench                    run the default set, one after the other
       pnpm bench <name> [flags]     run one benchmark (pnpm bench <name> --help: its flags)

Benchmarks (* in the default set, with the flags shown):
${Object.entries(BENCHMARKS)
  .map(
    ([name, b]) =>
      `  ${b.defaultFlags ? "*" : " "} ${name.padEnd(20)} ${b.about}${b.defaultFlags?.length ? ` [${b.defaultFlags.join(" ")}]` : ""}`,
  )
  .join("\n")}

Results go to bench/results/ (most benchmarks take --results-dir for a trial run elsewhere).
Each needs the workspace built (pnpm bench builds it first). See bench/README.md.`;

function resolveName(name: string): string | undefined {
  if (name in BENCHMARKS) return name;
  return Object.entries(BENCHMARKS).find(([, b]) => b.aliases?.includes(name))?.[0];
}

/** Runs one benchmark as a child process with this process's Node flags; its exit code. */
function runOne(name: string, args: readonly string[]): Promise<number> {
  const file = new URL(`./src/benchmarks/${name}.ts`, import.meta.url).pathname;
  const child = spawn(process.execPath, [...process.execArgv, file, ...args], { stdio: "inherit" });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  return new Promise((resolve) =>
    child.once("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}

// pnpm passes the "--" of `pnpm bench -- <name>` through; it is not an argument.
const argv = process.argv.slice(2).filter((arg, i) => !(i === 0 && arg === "--"));
const [first, ...rest] = argv;
if (first === "--help" || first === "-h" || first === "help") {
  console.log(USAGE);
  process.exit(0);
}
if (first === undefined) {
  for (const [name, b] of Object.entries(BENCHMARKS)) {
    if (!b.defaultFlags) continue;
    console.error(`[bench] ${name} ${b.defaultFlags.join(" ")}`.trimEnd());
    const code = await runOne(name, b.defaultFlags);
    if (code !== 0) {
      console.error(`[bench] ${name} failed (exit ${code}); the rest of the set did not run`);
      process.exit(code);
    }
  }
  process.exit(0);
}
if (first.startsWith("-")) {
  console.error(`bench: unknown option '${first}': flags go after a benchmark's name\n\n${USAGE}`);
  process.exit(2);
}
const name = resolveName(first);
if (!name) {
  console.error(`bench: no benchmark '${first}'\n\n${USAGE}`);
  process.exit(2);
}
process.exit(await runOne(name, rest));
