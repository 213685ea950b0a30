import type { Browser } from "playwright-core";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import {
  launchChromium,
  logIn,
  type RunningConsole,
  requireChromium,
  startConsoleApp,
} from "../fixtures/console.js";
import { type DemoDatabase, useDemoDatabase } from "../fixtures/database.js";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import { createPipeline, startWorker } from "../fixtures/pipeline.js";

const database = useDemoDatabase();
let db: DemoDatabase;
beforeEach(() => {
  db = database();
});
let browser: Browser | undefined;
let consoleApp: RunningConsole | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  consoleApp?.cleanup();
});

describe("bulk deletion from the console, in a real browser", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer(
      "a bulk of 50 customers submitted from the page shows its soft-deleted count, then reaches 50/50",
    ),
    async () => {
      requireChromium();
      const pipeline = await createPipeline(inject("kafkaBrokers"), 2);
      const { bulk } = pipeline;
      // One tenant: the selector matches every seeded customer.
      await db.seed({ records: 50, tenants: 1, idPrefix: `${pipeline.id("c")}-`, padIds: true });
      await startWorker(
        pipeline,
        {
          RECORD_STORE: "postgres",
          DATABASE_URL: db.url,
          DELETE_TABLES: db.tables,
          DELETE_BATCH_SIZE: "50",
          BATCH_SLEEP_MS: "0",
          BULK_SELECTORS: "tenant=customers.tenant_id",
          BULK_TOPIC: bulk.topic,
          BULK_COMPLETION_TOPIC: bulk.completions,
          BULK_GROUP_ID: `${pipeline.groupId}.bulk`,
        },
        { resonateUrl: resonateServerUrl },
      );
      consoleApp = await startConsoleApp({
        KAFKA_BROKERS: pipeline.brokers,
        INPUT_TOPIC: pipeline.input,
        OUTPUT_TOPIC: pipeline.output,
        DEAD_LETTER_TOPIC: pipeline.deadLetters,
        KAFKA_GROUP_ID: pipeline.groupId,
        REDRIVE_GROUP_ID: `${pipeline.groupId}.redrive`,
        BULK_TOPIC: bulk.topic,
        BULK_COMPLETION_TOPIC: bulk.completions,
        RESONATE_URL: resonateServerUrl,
      });

      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${consoleApp.url}#/bulks`);
      await logIn(page, consoleApp.token);
      await page.getByLabel("Selector", { exact: true }).fill("tenant");
      await page.getByLabel("Parameters (name=value, one a line)").fill("tenant=tenant-1");
      await page.getByRole("button", { name: "Submit" }).click();
      const outcome = page.getByTestId("bulk-outcome").filter({ hasText: /^Submitted bulk-/ });
      await outcome.waitFor({ timeout: 30_000 });
      const answer = (await outcome.textContent()) ?? "";
      const bulkId = /Submitted (bulk-[0-9a-f]+)/.exec(answer)?.[1];
      // The answer already says how many records the worker has soft-deleted.
      expect(Number(/(\d+) record\(s\) soft-deleted/.exec(answer)?.[1])).toBeGreaterThan(0);
      if (!bulkId) throw new Error("no bulk id in the answer");
      const row = page.locator(`tr[data-bulk-id="${bulkId}"]`);
      await row
        .getByTestId("bulk-progress")
        .filter({ hasText: /^50\/50$/ })
        .waitFor({ timeout: 90_000 });
      await page.locator(`tr[data-bulk-id="${bulkId}"][data-state="completed"]`).waitFor({ timeout: 30_000 });
    },
  );
});
