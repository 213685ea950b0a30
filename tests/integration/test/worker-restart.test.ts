import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import {
  createPipeline,
  produceInOrder,
  readCompletions,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { runApp, stopAllApps, withAdmin } from "../support/index.js";

afterEach(stopAllApps);

describe.each(resonateModes)("worker restart $label", ({ url, skip }) => {
  const test = it.skipIf(skip);
  test("a worker killed mid-run is replaced and every record still completes", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 2);
    const env = { BATCH_SLEEP_MS: "1000", SIM_SEED: "5" };
    const first = await startWorker(pipeline, env, { resonateUrl: url });
    const produced = await runApp(
      "producer",
      ["-n", "60", "--topic", pipeline.input, "--id-prefix", pipeline.id("restart")],
      {
        KAFKA_BROKERS: brokers,
      },
    );
    expect(produced.code).toBe(0);

    // Let some records finish and leave others half-way, then crash the worker.
    let completedByFirst = 0;
    await first.waitForLog(
      () =>
        ++completedByFirst >= 1 && first.logs.filter((l) => l.event === LOG_EVENTS.completed).length >= 15,
    );
    const crash = await first.stop("SIGKILL");
    expect(crash.signal).toBe("SIGKILL");
    // Read once the worker is gone: records it completed between the wait and the kill count too.
    const doneBeforeCrash = new Set(
      first.logs.filter((l) => l.event === LOG_EVENTS.completed).map((l) => l.recordId),
    );
    expect(doneBeforeCrash.size).toBeLessThan(60);

    const second = await startWorker(pipeline, env, { resonateUrl: url });
    const secondCompleted = () =>
      new Set(second.logs.filter((l) => l.event === LOG_EVENTS.completed).map((l) => l.recordId));
    await second.waitForLog(() => new Set([...doneBeforeCrash, ...secondCompleted()]).size >= 60, 120_000);

    const completions = await readCompletions(pipeline, 60);
    const ids = new Set(completions.map((c) => c.recordId));
    expect(ids.size).toBe(60);
    // The replacement did the records the first did not finish.
    for (let i = 1; i <= 60; i++) {
      const id = `${pipeline.id("restart")}-${String(i).padStart(6, "0")}`;
      expect(ids.has(id), id).toBe(true);
      if (!doneBeforeCrash.has(id)) expect(secondCompleted().has(id), id).toBe(true);
    }
  });

  test("SIGTERM with nothing in flight stops gracefully and exits 0", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const worker = await startWorker(pipeline, { BATCH_SLEEP_MS: "1000" }, { resonateUrl: url });
    expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    expect(worker.logs.map((l) => l.event)).toEqual(
      expect.arrayContaining([LOG_EVENTS.stopping, LOG_EVENTS.stopped]),
    );
  });
});

describe("graceful shutdown with the in-process network", () => {
  it("lets a running workflow finish, commits past it, so a restart redelivers nothing", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const id = pipeline.id("running");
    const worker = await startWorker(pipeline, {
      BATCH_SLEEP_MS: "1000",
      SIM_TRANSIENT_ERROR_RATE: "0",
      SIM_FIXED_BATCHES: `${id}=3`,
      SHUTDOWN_TIMEOUT_MS: "20000",
    });
    await produceInOrder(brokers, pipeline.input, [{ key: id, value: requestJson(id) }]);
    await worker.waitForLog((l) => l.event === LOG_EVENTS.batchDeleted && l.recordId === id && l.batch === 1);

    expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });

    expect(worker.logs.find((l) => l.event === LOG_EVENTS.completed)).toMatchObject({
      recordId: id,
      batches: 3,
    });
    expect(worker.logs.find((l) => l.event === LOG_EVENTS.stopping)).toMatchObject({ inFlight: 0 });
    const committed = await withAdmin(brokers, (admin) =>
      admin.fetchOffsets({ groupId: pipeline.groupId, topics: [pipeline.input] }),
    );
    expect(committed[0]?.partitions[0]?.offset).toBe("1");
  });
});

describe("worker shutdown while a start cannot finish", () => {
  // A Resonate server that does not answer: the record's start is retried and never succeeds.
  const unreachable = "http://127.0.0.1:9";

  it("exits 0 within its shutdown bound and leaves the unstarted record uncommitted", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const worker = await startWorker(pipeline, { SHUTDOWN_TIMEOUT_MS: "6000" }, { resonateUrl: unreachable });
    await produceInOrder(brokers, pipeline.input, [
      { key: pipeline.id("stuck"), value: requestJson(pipeline.id("stuck")) },
    ]);
    await worker.waitForLog((l) => l.event === LOG_EVENTS.retrying);

    expect(await worker.stop("SIGTERM", 20_000)).toEqual({ code: 0, signal: null });
    expect(worker.logs.find((l) => l.event === LOG_EVENTS.stopping)).toMatchObject({
      unstarted: 1,
      inFlight: 1,
    });
    const committed = await withAdmin(brokers, (admin) =>
      admin.fetchOffsets({ groupId: pipeline.groupId, topics: [pipeline.input] }),
    );
    // Nothing committed (-1) or the start of the partition: the record will be read again.
    expect(["-1", "0"]).toContain(committed[0]?.partitions[0]?.offset);
  });

  it("a second signal during the graceful shutdown exits at once with 130", async () => {
    const brokers = inject("kafkaBrokers");
    const pipeline = await createPipeline(brokers, 1);
    const worker = await startWorker(
      pipeline,
      { SHUTDOWN_TIMEOUT_MS: "60000" },
      { resonateUrl: unreachable },
    );
    await produceInOrder(brokers, pipeline.input, [
      { key: pipeline.id("stuck"), value: requestJson(pipeline.id("stuck")) },
    ]);
    await worker.waitForLog((l) => l.event === LOG_EVENTS.retrying);

    worker.child.kill("SIGTERM");
    await worker.waitForLog((l) => l.event === LOG_EVENTS.shutdown && l.msg === "shutting down");
    worker.child.kill("SIGTERM");
    const exit = await worker.exited;
    expect(worker.logs.filter((l) => l.msg === "second signal; exiting now")).toHaveLength(1);
    // 130, unless Node's exit waited on a thread still inside the Kafka client (the graceful
    // shutdown's disconnect): then hardExit's watchdog ends it with SIGKILL 3 s later.
    expect([
      { code: 130, signal: null },
      { code: null, signal: "SIGKILL" },
    ]).toContainEqual(exit);
  });
});
