import type { Browser } from "playwright-core";
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  launchChromium,
  logIn,
  type RunningConsole,
  requireChromium,
  shows,
  startConsoleApp,
} from "../fixtures/console.js";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import { createPipeline, httpPort, produceInOrder, requestJson, startWorker } from "../fixtures/pipeline.js";
import { stopAllApps } from "../support/index.js";

let browser: Browser | undefined;
let consoleApp: RunningConsole | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await stopAllApps();
  consoleApp?.cleanup();
});

describe("deletion console in a real browser", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer(
      "refuses a wrong token; after login shows completions going up live, the dead letter by reason, re-drives it, and shows the record done",
    ),
    async () => {
      requireChromium();
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 2);
      const failing = pipeline.id("failing");
      const healthy = [1, 2, 3].map((n) => pipeline.id(`ok-${n}`));
      const later = [4, 5].map((n) => pipeline.id(`ok-${n}`));
      const worker = await startWorker(
        pipeline,
        { BATCH_SLEEP_MS: "20", SIM_TRANSIENT_ERROR_RATE: "0", SIM_FAIL_IDS: failing },
        { resonateUrl: resonateServerUrl },
      );
      const workerUrl = `http://127.0.0.1:${await httpPort(worker)}`;

      consoleApp = await startConsoleApp({
        KAFKA_BROKERS: brokers,
        INPUT_TOPIC: pipeline.input,
        OUTPUT_TOPIC: pipeline.output,
        DEAD_LETTER_TOPIC: pipeline.deadLetters,
        KAFKA_GROUP_ID: pipeline.groupId,
        REDRIVE_GROUP_ID: `${pipeline.groupId}.redrive`,
        CONSOLE_WORKER_URLS: workerUrl,
        RESONATE_URL: resonateServerUrl,
      });
      expect(consoleApp.app.logs.find((l) => l.event === "console.listening")?.host).toBe("127.0.0.1");
      const { url, token } = consoleApp;

      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(url);

      // A wrong token is refused, and the page says so.
      await logIn(page, "y".repeat(64));
      await page.getByTestId("login-error").waitFor();

      await logIn(page, token);
      await shows(page, "completions-total", "0");
      // The worker's /readyz, read by the console.
      await page.locator('[data-testid="workers"] td', { hasText: "ready" }).first().waitFor();

      // Completions arrive while the page is open: the count goes up without a reload.
      await produceInOrder(
        brokers,
        pipeline.input,
        healthy.map((id) => ({ key: id, value: requestJson(id) })),
      );
      await shows(page, "completions-total", "3");

      // A record whose deletion fails and a message that is no request: two dead letters by reason.
      await produceInOrder(brokers, pipeline.input, [
        { key: failing, value: requestJson(failing) },
        { key: "bad", value: "{ not json" },
        ...later.map((id) => ({ key: id, value: requestJson(id) })),
      ]);
      await shows(page, "completions-total", "5");
      await shows(page, "dead-letters-total", "2");

      await page.getByRole("button", { name: "Failures" }).click();
      const failed = page.locator(`tr[data-reason="WORKFLOW_FAILED"][data-record-id="${failing}"]`);
      await failed.waitFor();
      await page.locator('tr[data-reason="INVALID_JSON"]').waitFor();
      // The bad message carries no request to publish again: no re-drive button.
      expect(await page.locator('tr[data-reason="INVALID_JSON"] button').count()).toBe(0);

      await failed.getByRole("button", { name: "Re-drive" }).click();
      await page
        .getByTestId("redrive-outcome")
        .filter({ hasText: `Re-published 1 request(s): ${failing}` })
        .waitFor();
      await failed.getByText("re-driven").waitFor();

      // The re-driven request's second attempt completes, live.
      await page.getByRole("button", { name: "Overview" }).click();
      await shows(page, "completions-total", "6");

      // The record view reads its state from the Resonate server.
      await page.goto(`${url}#/record/${encodeURIComponent(failing)}`);
      await page.locator('[data-testid="record-facts"][data-state="done"]').waitFor();
      expect(await page.locator('dd[data-fact="attempt"]').textContent()).toBe("2");
      expect(await page.locator('dd[data-fact="request"]').textContent()).toContain(pipeline.input);
    },
  );

  it("shows an error banner, not a blank page, when the Resonate server does not answer", async () => {
    requireChromium();
    const pipeline = await createPipeline(inject("kafkaBrokers"), 1);
    consoleApp = await startConsoleApp({
      KAFKA_BROKERS: pipeline.brokers,
      INPUT_TOPIC: pipeline.input,
      OUTPUT_TOPIC: pipeline.output,
      DEAD_LETTER_TOPIC: pipeline.deadLetters,
      KAFKA_GROUP_ID: pipeline.groupId,
      // Nothing listens on port 9 of this machine.
      RESONATE_URL: "http://127.0.0.1:9",
    });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 600, height: 800 } });
    await page.goto(consoleApp.url);
    await logIn(page, consoleApp.token);
    await page
      .getByTestId("error-banner")
      .filter({ hasText: "The Resonate server does not answer" })
      .waitFor();
    await shows(page, "completions-total", "0");
  });
});
