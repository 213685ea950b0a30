import {
  BULK_HEADERS,
  BULK_LOG_EVENTS,
  type BulkDeletionCompleted,
  BulkDeletionCompletedSchema,
  decodeMessage,
  encodeBulkDeletionRequested,
  LOG_EVENTS,
} from "@deletion/contracts";
import { tenantFor } from "@deletion/store-postgres";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { type DemoDatabase, NONE, type RowCounts, total, useDemoDatabase } from "../fixtures/database.js";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import {
  createPipeline,
  httpPort,
  type Pipeline,
  produceInOrder,
  readCompletionsOf,
  startWorker,
} from "../fixtures/pipeline.js";
import { LEVEL, type RunningApp, readTopic, runApp } from "../support/index.js";

const database = useDemoDatabase();
let db: DemoDatabase;
beforeEach(() => {
  db = database();
});

/** A pipeline (with its own bulk topics and bulk consumer group). */
async function bulkPipeline(partitions: number) {
  const pipeline = await createPipeline(inject("kafkaBrokers"), partitions);
  return { pipeline, bulk: pipeline.bulk };
}

type Bulk = Pipeline["bulk"];

/** The workers' /status answers only with this bearer token. */
const STATUS_TOKEN = "bulk-status-test-token-0123456789abcdef";

const workerEnv = (bulk: Bulk, pid: string) => ({
  STATUS_TOKEN,
  RECORD_STORE: "postgres",
  DATABASE_URL: db.url,
  DELETE_TABLES: db.tables,
  DELETE_BATCH_SIZE: "50",
  BATCH_SLEEP_MS: "0",
  BULK_SELECTORS: "tenant=customers.tenant_id",
  BULK_TOPIC: bulk.topic,
  BULK_COMPLETION_TOPIC: bulk.completions,
  BULK_GROUP_ID: bulk.group,
  RESONATE_PID: pid,
});

const bulkCliEnv = (pipeline: Pipeline, bulk: Bulk) => ({
  KAFKA_BROKERS: pipeline.brokers,
  BULK_TOPIC: bulk.topic,
  RESONATE_URL: resonateServerUrl ?? "",
});

const statusEnv = { RESONATE_URL: resonateServerUrl ?? "", DATABASE_URL: "" };

async function bulkCompletions(
  pipeline: Pipeline,
  bulk: Bulk,
  expected: number,
): Promise<BulkDeletionCompleted[]> {
  const messages = await readTopic(pipeline.brokers, bulk.completions, { expected, timeoutMs: 240_000 });
  return messages.map((m) => {
    const decoded = decodeMessage(BulkDeletionCompletedSchema, m.value);
    if (!decoded.ok) throw new Error(decoded.error.reason);
    return decoded.value;
  });
}

/** Record ids of the requests a bulk published (its bulk-id header), in topic order. */
async function requestedBy(pipeline: Pipeline, bulkId: string): Promise<string[]> {
  const messages = await readTopic(pipeline.brokers, pipeline.input);
  return messages.filter((m) => m.headers[BULK_HEADERS.bulkId] === bulkId).map((m) => m.key ?? "");
}

/** Seeds `records` customers over `tenants` tenants; returns the ids per tenant and each one's rows. */
async function seedTenants(prefix: string, records: number, tenants: number) {
  await db.seed({
    records,
    tenants,
    idPrefix: prefix,
    padIds: true,
    orders: { min: 1, max: 2 },
    lines: { min: 1, max: 3 },
  });
  const byTenant = new Map<string, string[]>();
  for (let n = 1; n <= records; n++) {
    const tenant = tenantFor(n, tenants) as string;
    const ids = byTenant.get(tenant) ?? [];
    ids.push(`${prefix}${String(n).padStart(6, "0")}`);
    byTenant.set(tenant, ids);
  }
  return byTenant;
}

/** Rows left of these customers over the three tables. */
async function rowsTotal(ids: readonly string[]): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM customers WHERE id = ANY($1))
          + (SELECT count(*) FROM orders WHERE customer_id = ANY($1))
          + (SELECT count(*) FROM order_lines WHERE customer_id = ANY($1)) AS n`,
    [ids],
  );
  return Number(rows[0]?.n);
}

/** Every other customer: its orders, its lines and its deleted_at, by id. */
async function everyCustomerBut(ids: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await db.pool.query<{
    id: string;
    orders: string;
    lines: string;
    deleted_at: Date | null;
  }>(
    `SELECT c.id, c.deleted_at,
            (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS orders,
            (SELECT count(*) FROM order_lines l WHERE l.customer_id = c.id) AS lines
       FROM customers c WHERE NOT (c.id = ANY($1))`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, `${r.orders}/${r.lines}/${r.deleted_at?.toISOString() ?? "-"}`]));
}

async function rowsOf(ids: readonly string[]): Promise<Map<string, RowCounts>> {
  const rows = new Map<string, RowCounts>();
  for (const id of ids) rows.set(id, await db.counts(id));
  return rows;
}

const errorsOf = (apps: RunningApp[]) =>
  apps.flatMap((a) => a.logs.filter((l) => (l.level as number) >= LEVEL.error));

describe("bulk deletion", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer(
      "a tenant deleted with one command across 3 workers: every match deleted with its rows, nobody else touched, totals right; the same bulkId again runs nothing more",
    ),
    async () => {
      const { pipeline, bulk } = await bulkPipeline(3);
      const prefix = `${pipeline.id("t")}-`;
      const tenants = await seedTenants(prefix, 450, 3);
      const selected = tenants.get("tenant-2") as string[];
      const others = [...(tenants.get("tenant-1") ?? []), ...(tenants.get("tenant-3") ?? [])];
      const selectedRows = await rowsOf(selected);
      const othersBefore = await rowsOf(others);
      const workers = await Promise.all(
        ["bulk-a", "bulk-b", "bulk-c"].map((pid) =>
          startWorker(pipeline, workerEnv(bulk, pid), { resonateUrl: resonateServerUrl }),
        ),
      );
      const bulkId = pipeline.id("tenant-2");
      const run = await runApp(
        "bulk",
        [
          "submit",
          "--selector",
          "tenant",
          "--param",
          "tenant=tenant-2",
          "--bulk-id",
          bulkId,
          "--wait",
          "--poll-ms",
          "500",
        ],
        bulkCliEnv(pipeline, bulk),
        { timeoutMs: 300_000 },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`bulk ${bulkId}: completed`);
      expect(run.stdout).toContain("matched 150, soft-deleted 150, requested 150, done 150, failed 0");

      const [completion] = await bulkCompletions(pipeline, bulk, 1);
      const rows = [...selectedRows.values()].reduce((sum, c) => sum + total(c), 0);

      // status --bulk (a person's lines and --json) and the workers' /status/bulk/<bulkId> say
      // the same totals as the completion.
      const shown = await runApp("status", ["--bulk", bulkId], statusEnv);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(
        new RegExp(
          `^bulk ${bulkId}: completed\n  matched 150, soft-deleted 150, requested 150, done 150, failed 0, rows ${rows}\n  rate \\d+\\.\\d records/s\n$`,
        ),
      );
      const json = await runApp("status", ["--bulk", bulkId, "--json"], statusEnv);
      expect(json.code, json.stderr).toBe(0);
      const answered = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(answered).toMatchObject({
        bulkId,
        state: "completed",
        phase: "done",
        matched: 150,
        softDeleted: 150,
        requested: 150,
        done: 150,
        failed: 0,
        failedIds: [],
        rowsDeleted: rows,
        notRequested: 0,
        restored: 0,
        startedAt: completion?.startedAt,
        completedAt: completion?.completedAt,
        cancelRequested: false,
      });
      for (const worker of workers) {
        const url = `http://127.0.0.1:${await httpPort(worker)}/status/bulk/${bulkId}`;
        const overHttp = await fetch(url, { headers: { authorization: `Bearer ${STATUS_TOKEN}` } });
        expect(overHttp.status).toBe(200);
        expect(await overHttp.json()).toEqual(answered);
        expect((await fetch(url)).status).toBe(401);
      }
      const unknown = await runApp("status", ["--bulk", pipeline.id("never"), "--json"], statusEnv);
      expect(JSON.parse(unknown.stdout)).toMatchObject({ state: "unknown", matched: 0 });

      expect(completion).toMatchObject({
        bulkId,
        status: "completed",
        matched: 150,
        softDeleted: 150,
        requested: 150,
        deleted: 150,
        failed: 0,
        failedIds: [],
        rowsDeleted: rows,
        notRequested: 0,
      });
      for (const id of selected) expect(await db.counts(id), id).toEqual(NONE);
      for (const id of others) {
        expect(await db.counts(id), id).toEqual(othersBefore.get(id));
        expect(await db.deletedAt(id), id).toBeNull();
      }
      const requested = await requestedBy(pipeline, bulkId);
      expect(new Set(requested)).toEqual(new Set(selected));
      expect(requested).toHaveLength(150);

      // The same bulkId again (a second click): attached to the finished bulk, nothing published.
      // Whichever worker's bulk consumer holds the partition now takes it (a rebalance may have
      // moved it since the first request); its line says it attached.
      await produceInOrder(pipeline.brokers, bulk.topic, [
        {
          key: bulkId,
          value: encodeBulkDeletionRequested({
            schemaVersion: 1,
            bulkId,
            requestedAt: new Date().toISOString(),
            selector: "tenant",
            params: { tenant: "tenant-2" },
          }),
        },
      ]);
      await Promise.any(
        workers.map((w) =>
          w.waitForLog((l) => l.event === BULK_LOG_EVENTS.bulkStarted && l.attached === true),
        ),
      );
      expect(await requestedBy(pipeline, bulkId)).toHaveLength(150);
      expect(await bulkCompletions(pipeline, bulk, 1)).toHaveLength(1);
      expect(errorsOf(workers)).toEqual([]);
    },
  );

  it.skipIf(!resonateServerUrl)(
    needsServer(
      "the worker running a bulk of 2,000 killed (SIGKILL) while fanning out: the bulk resumes elsewhere; every match deleted with its rows, nobody else touched, totals right, only the page in flight published twice",
    ),
    async () => {
      const PAGE = 10;
      const SELECTED = 2_000;
      const KILL_AFTER_PAGE = 20;
      const { pipeline, bulk } = await bulkPipeline(3);
      const prefix = `${pipeline.id("k")}-`;
      const tenants = await seedTenants(prefix, 2 * SELECTED, 2);
      const selected = tenants.get("tenant-1") as string[];
      expect(selected).toHaveLength(SELECTED);
      const selectedRows = await rowsTotal(selected);
      const othersBefore = await everyCustomerBut(selected);
      expect(othersBefore.size).toBe(SELECTED);

      const env = (pid: string) => ({
        ...workerEnv(bulk, pid),
        BULK_PAGE_SIZE: String(PAGE),
        RESONATE_TTL_MS: "5000",
      });
      const workers = await Promise.all(
        ["kill-a", "kill-b", "kill-c"].map((pid) =>
          startWorker(pipeline, env(pid), { resonateUrl: resonateServerUrl }),
        ),
      );
      const bulkId = pipeline.id("tenant-1");
      const submitted = await runApp(
        "bulk",
        ["submit", "--selector", "tenant", "--param", "tenant=tenant-1", "--bulk-id", bulkId],
        bulkCliEnv(pipeline, bulk),
      );
      expect(submitted.code, submitted.stderr).toBe(0);

      // The worker whose bulk consumer took the request runs the bulk: killed once KILL_AFTER_PAGE
      // pages are out, so a resume that published checkpointed pages again would show.
      const pagePublished = (l: Record<string, unknown>) =>
        l.event === BULK_LOG_EVENTS.bulkPagePublished && l.bulkId === bulkId;
      await Promise.any(
        workers.map((w) =>
          w.waitForLog((l) => pagePublished(l) && (l.page as number) >= KILL_AFTER_PAGE, 180_000),
        ),
      );
      const victim = workers.find((w) => w.logs.some(pagePublished)) as RunningApp;
      victim.child.kill("SIGKILL");
      await victim.exited;
      const pagesBeforeKill = victim.logs.filter(pagePublished).map((l) => l.page as number);
      // Killed while fanning out: most pages were still to publish.
      expect(Math.max(...pagesBeforeKill)).toBeLessThan(SELECTED / PAGE);
      const replacement = await startWorker(pipeline, env("kill-d"), { resonateUrl: resonateServerUrl });
      const live = [...workers.filter((w) => w !== victim), replacement];

      const [completion] = await bulkCompletions(pipeline, bulk, 1);
      // Every match deleted with all its rows; every other customer as it was, not even flagged.
      expect(await rowsTotal(selected)).toBe(0);
      expect(await everyCustomerBut(selected)).toEqual(othersBefore);

      // Requests: every match at least once, nobody else; a record requested twice only when
      // its page was the one in flight at the kill (published, not yet checkpointed).
      const requested = await requestedBy(pipeline, bulkId);
      const copies = new Map<string, number>();
      for (const id of requested) copies.set(id, (copies.get(id) ?? 0) + 1);
      expect(new Set(copies.keys())).toEqual(new Set(selected));
      const twice = [...copies].filter(([, n]) => n > 1);
      for (const [id, n] of twice) expect(n, id).toBe(2);
      const pageOf = new Map([...selected].sort().map((id, i) => [id, Math.floor(i / PAGE)]));
      expect(new Set(twice.map(([id]) => pageOf.get(id))).size).toBeLessThanOrEqual(1);
      expect(requested.length - SELECTED).toBe(twice.length);
      expect(twice.length).toBeLessThanOrEqual(PAGE);
      // The resumed bulk went on from the checkpointed pages: its pages follow the killed worker's.
      const resumedPages = live.flatMap((w) => w.logs.filter(pagePublished).map((l) => l.page as number));
      expect(resumedPages.length).toBeGreaterThan(0);
      expect(Math.min(...resumedPages)).toBeGreaterThanOrEqual(Math.max(...pagesBeforeKill));

      // Per record: one deletion workflow (attempt 1) whatever the copies; a second copy attached
      // to it or was reported as done.
      const all = [victim, ...live];
      const started = all.flatMap((w) =>
        w.logs.filter((l) => l.event === LOG_EVENTS.dispatched).map((l) => l.recordId as string),
      );
      expect(started.length).toBe(new Set(started).size);
      const records = await readCompletionsOf(pipeline, selected);
      const byRecord = new Map<string, { rowsDeleted: number; attempt: number | undefined }>();
      for (const c of records) {
        const seen = byRecord.get(c.recordId);
        if (seen) expect(c, c.recordId).toMatchObject(seen);
        byRecord.set(c.recordId, { rowsDeleted: c.rowsDeleted, attempt: c.attempt });
      }
      expect(byRecord.size).toBe(SELECTED);
      for (const [id, c] of byRecord) expect(c.attempt ?? 1, id).toBe(1);
      const recordRows = [...byRecord.values()].reduce((sum, c) => sum + c.rowsDeleted, 0);
      // A batch the killed worker ran but did not checkpoint ran again and found no rows: those
      // rows are in no total (the record workflow's own window).
      expect(recordRows).toBeLessThanOrEqual(selectedRows);

      // Totals count records, not copies: requested counts each checkpointed page once.
      expect(completion).toMatchObject({
        bulkId,
        status: "completed",
        matched: SELECTED,
        softDeleted: SELECTED,
        requested: SELECTED,
        deleted: SELECTED,
        failed: 0,
        failedIds: [],
        rowsDeleted: recordRows,
        notRequested: 0,
      });
      const shown = await runApp("status", ["--bulk", bulkId, "--json"], statusEnv);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        state: "completed",
        matched: SELECTED,
        requested: SELECTED,
        done: SELECTED,
        failed: 0,
        rowsDeleted: recordRows,
      });
      expect(errorsOf(live)).toEqual([]);
    },
    420_000,
  );

  it.skipIf(!resonateServerUrl)(
    needsServer("an empty selection completes with zeros; an unknown selector is dead-lettered"),
    async () => {
      const { pipeline, bulk } = await bulkPipeline(1);
      await seedTenants(`${pipeline.id("e")}-`, 5, 1);
      const worker = await startWorker(pipeline, workerEnv(bulk, "bulk-empty"), {
        resonateUrl: resonateServerUrl,
      });
      const empty = pipeline.id("nobody");
      const request = (bulkId: string, selector: string, params: Record<string, string>) => ({
        key: bulkId,
        value: encodeBulkDeletionRequested({
          schemaVersion: 1,
          bulkId,
          requestedAt: new Date().toISOString(),
          selector,
          params,
        }),
      });
      await produceInOrder(pipeline.brokers, bulk.topic, [
        request(pipeline.id("region"), "region", { region: "eu" }),
        request(empty, "tenant", { tenant: "tenant-404" }),
      ]);
      const [completion] = await bulkCompletions(pipeline, bulk, 1);
      expect(completion).toMatchObject({
        bulkId: empty,
        status: "completed",
        matched: 0,
        softDeleted: 0,
        requested: 0,
        deleted: 0,
        failed: 0,
        rowsDeleted: 0,
      });
      const deadLetters = await readTopic(pipeline.brokers, pipeline.deadLetters, { expected: 1 });
      expect(deadLetters.map((d) => d.headers["dead-letter-reason"])).toEqual(["UNKNOWN_SELECTOR"]);
      expect(worker.logs.some((l) => l.event === BULK_LOG_EVENTS.bulkUnknownSelector)).toBe(true);
    },
  );

  it.skipIf(!resonateServerUrl)(
    needsServer(
      "cancel mid-way: exactly the records requested before it are deleted, the rest reported and restored",
    ),
    async () => {
      const { pipeline, bulk } = await bulkPipeline(2);
      const prefix = `${pipeline.id("c")}-`;
      const tenants = await seedTenants(prefix, 400, 1);
      const all = tenants.get("tenant-1") as string[];
      const before = await rowsOf(all);
      const worker = await startWorker(
        pipeline,
        { ...workerEnv(bulk, "bulk-cancel"), BULK_PAGE_SIZE: "2" },
        { resonateUrl: resonateServerUrl },
      );
      const bulkId = pipeline.id("cancelled");
      const submitted = await runApp(
        "bulk",
        ["submit", "--selector", "tenant", "--param", "tenant=tenant-1", "--bulk-id", bulkId],
        bulkCliEnv(pipeline, bulk),
      );
      expect(submitted.code, submitted.stderr).toBe(0);
      await worker.waitForLog((l) => l.event === BULK_LOG_EVENTS.bulkPagePublished && l.page === 1, 120_000);
      const cancelled = await runApp("bulk", ["cancel", bulkId, "--restore"], bulkCliEnv(pipeline, bulk));
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(cancelled.stdout).toContain(`cancel requested for bulk ${bulkId}`);

      const [completion] = await bulkCompletions(pipeline, bulk, 1);
      const requested = await requestedBy(pipeline, bulkId);
      expect(completion?.status).toBe("cancelled");
      expect(requested.length).toBeGreaterThan(0);
      expect(requested.length).toBeLessThan(400);
      expect(completion).toMatchObject({
        matched: 400,
        softDeleted: 400,
        requested: requested.length,
        deleted: requested.length,
        notRequested: 400 - requested.length,
        restored: 400 - requested.length,
      });
      const wasRequested = new Set(requested);
      for (const id of all) {
        if (wasRequested.has(id)) expect(await db.counts(id), id).toEqual(NONE);
        else {
          expect(await db.counts(id), id).toEqual(before.get(id));
          expect(await db.deletedAt(id), id).toBeNull();
        }
      }
    },
  );

  it("an unknown selector column stops the worker at start-up with exit 2, naming it", async () => {
    await db.seed({ records: 1 });
    const run = await runApp("deletor-worker", [], {
      RECORD_STORE: "postgres",
      DATABASE_URL: db.url,
      DELETE_TABLES: db.tables,
      BULK_SELECTORS: "tenant=customers.tenant_no_such_column",
      KAFKA_BROKERS: "127.0.0.1:9",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("tenant=customers.tenant_no_such_column");
    expect(run.stderr).toContain("tenant_no_such_column");
  });
});
