import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BULK_LOG_EVENTS, LOG_EVENTS } from "@deletion/contracts";
import { idDigits, recordIdFor } from "@deletion/kafka";
import { createKafkaAcls, type LocalKafka, type ScramUser, startLocalKafka } from "@deletion/local-stack";
import { uniqueName } from "@deletion/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { aclsOf, kafkaUsersScriptAcls } from "../fixtures/kafka-users-acls.js";
import { decodeDeadLetters, type Pipeline, readCompletionsOf, startWorker } from "../fixtures/pipeline.js";
import { saslSslEnv } from "../fixtures/secured-broker.js";
import { type AppRun, LEVEL, logLines, readTopic, runApp, stopAllApps } from "../support/index.js";

/*
 * The secured variant's per-app Kafka ACLs (deploy/secure/kafka-users.sh), enforced by a real
 * broker: Apache Kafka with KRaft's StandardAuthorizer, started for this file only, one SCRAM
 * user per app, and exactly the script's grants. Every app (topic-setup, producer, worker,
 * redrive) runs under its own user and the deployment's own topic and group names; its
 * plaintext listener (a super user, as the broker reaches its controller that way) is only where
 * the test reads results.
 */

const USERS = [
  "deletion-topic-setup",
  "deletion-producer",
  "deletion-worker",
  "deletion-redrive",
  "deletion-console",
];
const TOPICS = {
  requests: "records_to_be_deleted",
  completions: "records_that_were_deleted",
  deadLetters: "records_to_be_deleted_dlq",
  bulk: "bulk_deletions_requested",
  bulkCompletions: "bulk_deletions_completed",
};

let kafka: LocalKafka;
beforeAll(async () => {
  kafka = await startLocalKafka({ secured: true, authorizer: { users: USERS } });
  const acls = kafkaUsersScriptAcls();
  for (const user of USERS) expect(aclsOf(acls, user).length, user).toBeGreaterThan(0);
  await createKafkaAcls(
    kafka,
    acls.filter((a) => USERS.includes(a.principal.slice("User:".length))),
  );
}, 180_000);
afterAll(() => kafka?.stop());
const filesDir = mkdtempSync(join(tmpdir(), "kafka-acls-"));
afterAll(() => rmSync(filesDir, { recursive: true, force: true }));
const idsFile = (ids: string[]) => {
  const path = join(filesDir, `${ids[0]}.txt`);
  writeFileSync(path, `${ids.join("\n")}\n`);
  return path;
};
afterEach(stopAllApps);

function user(name: string): ScramUser {
  const found = kafka.secured?.users.find((u) => u.username === name);
  if (!found) throw new Error(`no user ${name} on the broker`);
  return found;
}
const as = (name: string) => saslSslEnv({ user: user(name), kafka: kafka.secured });

const TOPIC_ENV = {
  INPUT_TOPIC: TOPICS.requests,
  OUTPUT_TOPIC: TOPICS.completions,
  DEAD_LETTER_TOPIC: TOPICS.deadLetters,
  BULK_TOPIC: TOPICS.bulk,
  BULK_COMPLETION_TOPIC: TOPICS.bulkCompletions,
};

/** topic-setup under its own user, once for the file: every test needs the topics. */
let setupRun: Promise<AppRun> | undefined;
const topicSetup = () => {
  setupRun ??= runApp("topic-setup", ["--partitions", "2"], { ...as("deletion-topic-setup"), ...TOPIC_ENV });
  return setupRun;
};

/** The deployment's names; the worker's groups are the defaults its ACLs name. */
function deploymentPipeline(): Pipeline {
  const base = uniqueName("it-acl");
  return {
    brokers: kafka.bootstrapServers,
    input: TOPICS.requests,
    output: TOPICS.completions,
    deadLetters: TOPICS.deadLetters,
    groupId: "deletor-workers",
    bulk: { topic: TOPICS.bulk, completions: TOPICS.bulkCompletions, group: "deletor-workers-bulk" },
    resonateGroup: `${base}.resonate`,
    id: (name: string) => `${base}-${name}`,
  };
}

describe("Kafka ACLs of the secured variant, enforced by a broker", () => {
  it("each app under its own user: topic-setup creates the topics, the producer publishes, the worker deletes and completes, redrive re-drives a failure", async () => {
    const setup = await topicSetup();
    expect(setup.code, setup.stderr).toBe(0);
    expect(
      logLines(setup.stdout)
        .filter((l) => l.status === "created")
        .map((l) => l.topic),
    ).toEqual(Object.values(TOPIC_ENV));

    const pipeline = deploymentPipeline();
    const count = 6;
    const prefix = pipeline.id("acl");
    // Its first attempt fails: dead-lettered by the worker, re-driven by redrive.
    const failing = recordIdFor(prefix, 1, idDigits(count));
    const worker = await startWorker(pipeline, {
      ...as("deletion-worker"),
      BATCH_SLEEP_MS: "20",
      SIM_SEED: "5",
      SIM_FAIL_IDS: failing,
    });
    const produced = await runApp(
      "producer",
      ["-n", String(count), "--topic", TOPICS.requests, "--id-prefix", prefix],
      as("deletion-producer"),
    );
    expect(produced.code, produced.stderr).toBe(0);
    const ids = Array.from({ length: count }, (_, i) => recordIdFor(prefix, i + 1, idDigits(count)));
    const [letter] = decodeDeadLetters(
      await readTopic(kafka.bootstrapServers, TOPICS.deadLetters, { expected: 1, timeoutMs: 90_000 }),
    );
    expect(letter?.reasonCode).toBe("WORKFLOW_FAILED");
    const redrive = await runApp("redrive", [], { ...as("deletion-redrive"), ...TOPIC_ENV });
    expect(redrive.code, redrive.stderr).toBe(0);
    const completions = await readCompletionsOf(pipeline, ids);
    expect([...new Set(completions.map((c) => c.recordId))].sort()).toEqual(ids);
    expect(completions.find((c) => c.recordId === failing)?.attempt).toBe(2);
    expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });
  });

  it.each([
    ["deletion-producer", TOPICS.completions, "Topic authorization failed"],
    ["deletion-producer", TOPICS.bulk, "Topic authorization failed"],
    ["deletion-worker", TOPICS.bulk, "Topic authorization failed"],
    // Refused before any topic: it may not write idempotently at all.
    ["deletion-topic-setup", TOPICS.requests, "cluster authorization failed"],
  ])(
    "%s may not publish to %s: the producer app exits 1, the broker's refusal logged",
    async (name, topic, refusal) => {
      expect((await topicSetup()).code).toBe(0);
      const run = await runApp("producer", ["-n", "1", "--topic", topic], as(name));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`could not produce to ${topic}`);
      expect(`${run.stdout}${run.stderr}`).toContain(refusal);
    },
  );

  it("the deletion console's user may publish bulk requests (its bulk form), which the worker's bulk consumer starts", async () => {
    expect((await topicSetup()).code).toBe(0);
    const pipeline = deploymentPipeline();
    const worker = await startWorker(pipeline, as("deletion-worker"));
    const bulkId = pipeline.id("console-bulk");
    const run = await runApp(
      "bulk",
      ["submit", "--ids-file", idsFile([pipeline.id("b1")]), "--bulk-id", bulkId],
      {
        ...as("deletion-console"),
        BULK_TOPIC: TOPICS.bulk,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    await worker.waitForLog((l) => l.event === BULK_LOG_EVENTS.bulkStarted && l.bulkId === bulkId);
  });

  /**
   * A worker under `name` consuming `topic` in `group`: the broker refuses its consumer, and the
   * worker says which grant once, at fatal level, and stops with exit 1 (it would never be
   * assigned a partition).
   */
  async function refusedConsumer(name: string, topic: string, group: string, refusal: string) {
    expect((await topicSetup()).code).toBe(0);
    const pipeline = { ...deploymentPipeline(), input: topic, groupId: group };
    const worker = await startWorker(pipeline, as(name), { waitForAssignment: false });
    expect(await worker.exited).toEqual({ code: 1, signal: null });
    const fatal = worker.logs.filter((l) => l.event === LOG_EVENTS.consumerRefused);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ level: LEVEL.fatal, refusal, kafkaUser: name });
    expect(fatal[0]?.consumers).toMatchObject({ requests: { group, topic } });
    expect(String(fatal[0]?.msg)).toContain(`${refusal} (Kafka user ${name}; group ${group} on ${topic}`);
    // The client retries the fetch until the worker stops; its repeats are not at error level.
    const loud = worker.logs.filter(
      (l) => String(l.msg).includes(refusal) && (l.level as number) >= LEVEL.error,
    );
    expect(loud.length).toBeLessThanOrEqual(2);
    expect(worker.logs.some((l) => l.event === LOG_EVENTS.stopped && l.exitCode === 1)).toBe(true);
  }

  it("the producer's user may not join the workers' group: the worker stops, naming the refusal", async () => {
    await refusedConsumer(
      "deletion-producer",
      TOPICS.requests,
      "deletor-workers",
      "Group authorization failed",
    );
  });

  it("the worker's user may not read the completion topic, even in a group of its own: the worker stops, naming the refusal", async () => {
    await refusedConsumer(
      "deletion-worker",
      TOPICS.completions,
      "deletor-workers-x",
      "Topic authorization failed",
    );
  });

  it("topic-setup's user may not consume requests in the workers' group: the worker stops, naming the refusal", async () => {
    await refusedConsumer(
      "deletion-topic-setup",
      TOPICS.requests,
      "deletor-workers",
      "Group authorization failed",
    );
  });
});
