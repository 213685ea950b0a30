import type { DeletionCompleted } from "@deletion/contracts";
import { LOG_EVENTS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  createForeignWorkflowPromise,
  createPlainForeignPromise,
  getPromise,
} from "../fixtures/foreign-promises.js";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import {
  createPipeline,
  decodeDeadLetters,
  produceInOrder,
  readCompletionsOf,
  requestJson,
  startWorker,
} from "../fixtures/pipeline.js";
import { type RunningApp, readTopic, stopAllApps, withAdmin } from "../support/index.js";

afterEach(stopAllApps);

/** Rejects as soon as the worker exits: a crash fails the test at once instead of timing out. */
const orCrash = <T>(worker: RunningApp, work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    worker.exited.then((exit) => {
      throw new Error(`the worker exited (${exit.code ?? exit.signal})\n${worker.stderr().slice(-2000)}`);
    }),
  ]);

// Promise ids are global on a server, so this can only happen there.
describe("worker and promises that are not its own", () => {
  const test = it.skipIf(!resonateServerUrl);

  test(
    needsServer(
      "a foreign promise under a record's promise id is dead-lettered as FOREIGN_PROMISE; the worker lives on, completes the others and commits past it",
    ),
    async () => {
      const brokers = inject("kafkaBrokers");
      const url = resonateServerUrl as string;
      const pipeline = await createPipeline(brokers, 1);
      const kafkaExample = pipeline.id("kafka-example");
      const plain = pipeline.id("plain");
      const bareOnly = pipeline.id("bare-only");
      const good = Array.from({ length: 4 }, (_, i) => pipeline.id(`good-${i}`));

      // Both under the bare record id (the id an older worker, or the Resonate Kafka example,
      // uses) and under ours, so whichever id the worker derives, it meets a foreign promise.
      for (const id of [kafkaExample, `deletion/${kafkaExample}`]) {
        await createForeignWorkflowPromise(url, id, undefined);
      }
      for (const id of [plain, `deletion/${plain}`]) {
        await createPlainForeignPromise(url, id, "not base64 JSON at all");
      }
      // Only under the bare id: another application's record that happens to share the id.
      await createForeignWorkflowPromise(url, bareOnly, "done by someone else");

      const worker = await startWorker(
        pipeline,
        { BATCH_SLEEP_MS: "100", SIM_SEED: "5" },
        { resonateUrl: url },
      );
      const order = [good[0], kafkaExample, good[1], plain, good[2], bareOnly, good[3]] as string[];
      const requestOf = new Map(order.map((id) => [id, requestJson(id)]));
      const produced = await produceInOrder(
        brokers,
        pipeline.input,
        order.map((id) => ({ key: id, value: requestOf.get(id) as string })),
      );

      const completions: DeletionCompleted[] = await orCrash(
        worker,
        readCompletionsOf(pipeline, [...good, bareOnly], 90_000),
      );
      const deadLetters = decodeDeadLetters(
        await orCrash(worker, readTopic(brokers, pipeline.deadLetters, { expected: 2 })),
      );

      expect(new Set(completions.map((c) => c.recordId))).toEqual(new Set([...good, bareOnly]));
      expect(completions).toHaveLength(good.length + 1);
      const letterOf = new Map(
        deadLetters.map((d) => [Buffer.from(d.keyBase64 ?? "", "base64").toString(), d]),
      );
      expect([...letterOf.keys()].sort()).toEqual([kafkaExample, plain].sort());
      for (const id of [kafkaExample, plain]) {
        const letter = letterOf.get(id);
        expect(letter?.reasonCode, id).toBe("FOREIGN_PROMISE");
        expect(letter?.reason, id).toContain(`deletion/${id}`);
        // The request itself, byte for byte, so it can be re-driven once the id is free.
        expect(Buffer.from(letter?.valueBase64 ?? "", "base64").toString(), id).toBe(requestOf.get(id));
      }

      // One process throughout: nothing it read crashed it.
      expect(worker.child.exitCode).toBeNull();
      expect(worker.logs.filter((l) => l.event === LOG_EVENTS.started)).toHaveLength(1);
      expect(worker.logs.filter((l) => l.event === LOG_EVENTS.foreignPromise).map((l) => l.recordId)).toEqual(
        expect.arrayContaining([kafkaExample, plain]),
      );

      // The promise under the bare id belongs to the other application and is left as it was.
      const neighbour = await getPromise(url, bareOnly);
      expect(neighbour.state).toBe("resolved");
      expect(Buffer.from(neighbour.value?.data ?? "", "base64").toString()).toBe(
        JSON.stringify("done by someone else"),
      );

      // Every offset is committed: no foreign promise holds the partition back.
      expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      const committed = await withAdmin(brokers, (admin) =>
        admin.fetchOffsets({ groupId: pipeline.groupId, topics: [pipeline.input] }),
      );
      const last = produced.at(-1)?.offset ?? "-1";
      expect(committed[0]?.partitions.find((p) => p.partition === 0)?.offset).toBe(String(BigInt(last) + 1n));
    },
  );
});
