#!/usr/bin/env node
// How much the Resonate server's storage grows per record deleted. Server v0.9.8 never deletes a
// promise, so this is what a deployment keeps for ever: the size of its SQLite database (after a
// graceful stop, so the write-ahead log is folded in) before and after N records went through
// the deletion workflow, and the promises and tasks per record. Records of each batch count in
// --batches, with plain promise ids and payloads, and with keyed ids and encrypted payloads.
// The workflow runs in this process (the worker's own runtime and client) against a server binary
// on SQLite started by the test kit; no broker is needed.
// Usage: pnpm bench server-storage [--records 500] [--batches 1,5] [--render]
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SimulatedRecordStore } from "@deletion/record-store";
import { createPayloadCipher, createResonateClient } from "@deletion/resonate-client";
import { startResonateServer } from "@deletion/test-kit";
import { type DeletionRuntime, registerDeletionWorkflow } from "@deletion/workflows";
import { benchCli, RESULTS_DIR_FLAG, RESULTS_DIR_USAGE } from "../harness/args.ts";
import { machineFacts, SHARED_MACHINE, serverVersion } from "../harness/machine.ts";
import { lastResultsOrExit, writeResults } from "../harness/results.ts";
import { round } from "../harness/stats.ts";

const USAGE = `Usage: pnpm bench server-storage [--records N] [--batches 1,5] [--render]

  --records N     records deleted per configuration (default 500)
  --batches L     batches per record, one configuration each (default 1,5)
  --render        rewrite server-storage.md from the last server-storage.json
${RESULTS_DIR_USAGE}
  --help          this text`;
const cli = benchCli("server-storage", USAGE, {
  records: { type: "string", default: "500" },
  batches: { type: "string", default: "1,5" },
  render: { type: "boolean", default: false },
  ...RESULTS_DIR_FLAG,
});

interface Row {
  ids: "plain" | "keyed, payloads encrypted";
  batchesPerRecord: number;
  records: number;
  /** Database file size (bytes) after a graceful stop, before and after the records. */
  bytesBefore: number;
  bytesAfter: number;
  bytesPerRecord: number;
  promisesPerRecord: number;
}

interface Results {
  machine: ReturnType<typeof machineFacts>;
  shared: string;
  server: string;
  rows: Row[];
}

/** The server's SQLite files' total size: the database, and a write-ahead log if one was left. */
async function storageBytes(dir: string): Promise<number> {
  let total = 0;
  for (const file of await readdir(dir)) {
    if (file.startsWith("resonate.db")) total += (await stat(join(dir, file))).size;
  }
  return total;
}

const silentPublisher = { publishCompleted: async () => {}, publishFailed: async () => {} };

async function countPromises(url: string): Promise<number> {
  let count = 0;
  for (const state of ["pending", "resolved", "rejected"]) {
    let cursor: string | undefined;
    do {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          kind: "promise.search",
          head: { corrId: `count-${count}-${state}`, version: "2026-04-01" },
          data: { state, limit: 100, ...(cursor ? { cursor } : {}) },
        }),
      });
      const body = (await response.json()) as { data: { promises?: unknown[]; cursor?: string } };
      count += body.data.promises?.length ?? 0;
      cursor = body.data.cursor;
    } while (cursor);
  }
  return count;
}

async function measure(
  keyed: boolean,
  batches: number,
  records: number,
): Promise<{ row: Row; server: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), "server-storage-bench-"));
  const server = await startResonateServer({ kind: "binary", dataDir });
  try {
    const version = await serverVersion(server);
    await server.stop();
    const bytesBefore = await storageBytes(dataDir);
    await server.start();
    const payloads = keyed
      ? createPayloadCipher({
          mode: "aes-256-gcm",
          current: { id: "k1", key: randomBytes(32) },
          strict: true,
        })
      : undefined;
    const client = createResonateClient({
      url: server.url,
      group: "storage-bench",
      pid: "storage-bench-1",
      ttlMs: 60_000,
      logLevel: "error",
      payloads,
    });
    const ids = Array.from({ length: records }, (_, i) => `person-${String(i + 1).padStart(6, "0")}`);
    const runtime: DeletionRuntime = registerDeletionWorkflow(client.resonate, {
      store: new SimulatedRecordStore({
        transientErrorRate: 0,
        fixedBatches: new Map(ids.map((id) => [id, batches])),
      }),
      publisher: silentPublisher,
      payloads,
      promiseIdKey: keyed ? randomBytes(32) : undefined,
      taskCreates: client.taskCreates,
      localRuns: client.localRuns,
    });
    // 50 at a time: the worker's own bound is higher, but the figure is per record, not per second.
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map(async (recordId, j) => {
          const start = await runtime.begin({
            recordId,
            requestedAt: new Date().toISOString(),
            source: { topic: "records_to_be_deleted", partition: 0, offset: String(i + j) },
            batchSleepMs: 0,
          });
          if (start.kind !== "started") throw new Error(`${recordId}: ${JSON.stringify(start)}`);
          const end = await start.end();
          if (end.kind !== "finished") throw new Error(`${recordId}: ${JSON.stringify(end)}`);
        }),
      );
    }
    const promises = await countPromises(server.url);
    await client.resonate.stop();
    await server.stop();
    const bytesAfter = await storageBytes(dataDir);
    return {
      server: version,
      row: {
        ids: keyed ? "keyed, payloads encrypted" : "plain",
        batchesPerRecord: batches,
        records,
        bytesBefore,
        bytesAfter,
        bytesPerRecord: Math.round((bytesAfter - bytesBefore) / records),
        promisesPerRecord: round(promises / records, 2),
      },
    };
  } finally {
    await server.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function render(results: Results): string {
  const lines = [
    "# Resonate server storage per record deleted",
    "",
    `Server: ${results.server} on SQLite. ${results.machine.cpu ?? "?"}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, ${results.machine.date}, load average ${results.machine.loadAverage.join(" / ")} (${results.shared}).`,
    "",
    "The database file's size after a graceful stop, before and after the records; server v0.9.8 never deletes a promise, so this is kept for ever. Promises per record: the workflow's and its steps' (read through the server's search).",
    "",
    "| promise ids | batches per record | records | bytes before | bytes after | bytes per record | promises per record |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.rows.map(
      (r) =>
        `| ${r.ids} | ${r.batchesPerRecord} | ${r.records} | ${r.bytesBefore} | ${r.bytesAfter} | ${r.bytesPerRecord} | ${r.promisesPerRecord} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

if (cli.values.render) {
  const last = await lastResultsOrExit<Results>("server-storage", cli.resultsDir, "server-storage");
  await writeResults(cli.resultsDir, "server-storage", last, render(last));
  process.exit(0);
}

const records = cli.integer("records");
const batchCounts = cli.integers("batches");
const machine = machineFacts();
const rows: Row[] = [];
let server = "";
for (const batches of batchCounts) {
  for (const keyed of [false, true]) {
    const measured = await measure(keyed, batches, records);
    server = measured.server;
    rows.push(measured.row);
    console.log(JSON.stringify(measured.row));
  }
}
const results: Results = { machine, shared: SHARED_MACHINE, server, rows };
await writeResults(cli.resultsDir, "server-storage", results, render(results));
console.log(render(results));
process.exit(0);
