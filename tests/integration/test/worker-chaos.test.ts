import { LOG_EVENTS, MESSAGE_HEADERS } from "@deletion/contracts";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import {
  createPipeline,
  decodeCompletions,
  httpPort,
  scrapeMetrics,
  startWorker,
} from "../fixtures/pipeline.js";
import { type LogLine, type RunningApp, readTopic, runApp, stopAllApps } from "../support/index.js";

afterEach(stopAllApps);

const WORKERS = 3;
const RECORDS = 300;
const KILLS = 6;

interface Member {
  pid: string;
  app: RunningApp;
  killed: boolean;
}

/** One run of a step as a worker logged it. */
interface Run {
  member: Member;
  line: LogLine;
}

const time = (line: LogLine) => Number(line.time);

/** Lines a worker logged about one record, in order. */
const linesFor = (member: Member, recordId: string) => member.app.logs.filter((l) => l.recordId === recordId);

/**
 * The last thing a worker logged about a record: what it was doing when it was killed, if it
 * was. For a batch, its number; for the completion, "completed".
 */
function lastActOf(member: Member, recordId: string): LogLine | undefined {
  return linesFor(member, recordId)
    .filter((l) => l.event === LOG_EVENTS.batchDeleted || l.event === LOG_EVENTS.completed)
    .at(-1);
}

/** Whether a batch's run was the last step a worker took for the record (see the repeats below). */
function isLastStepOf(member: Member, batch: LogLine): boolean {
  const acts = linesFor(member, String(batch.recordId)).filter(
    (l) => l.event === LOG_EVENTS.batchDeleted || l.event === LOG_EVENTS.completed,
  );
  const last = acts.at(-1);
  if (last === batch) return true;
  // The record's last batch publishes its completion in the same step.
  return last?.event === LOG_EVENTS.completed && acts.at(-2) === batch && batch.rowsRemain === false;
}

describe("chaos: workers killed with SIGKILL while they work, with the default task TTL", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer(
      `${WORKERS} workers, ${RECORDS} records, ${KILLS} kills: every record completes; only a killed worker's last step repeats`,
    ),
    { timeout: 420_000 },
    async () => {
      const brokers = inject("kafkaBrokers");
      const pipeline = await createPipeline(brokers, 6);
      const prefix = pipeline.id("chaos");
      // RESONATE_TTL_MS is left at its default on purpose: the property must hold with it.
      const env = {
        BATCH_SLEEP_MS: "2000",
        SIM_SEED: "17",
        RETRY_INITIAL_DELAY_MS: "50",
        KAFKA_SESSION_TIMEOUT_MS: "6000",
        LOG_LEVEL: "info",
      };
      const members: Member[] = [];
      let started = 0;
      const startMember = async (waitForAssignment: boolean) => {
        const pid = `chaos-${++started}`;
        const app = await startWorker(
          pipeline,
          { ...env, RESONATE_PID: pid },
          { resonateUrl: resonateServerUrl, waitForAssignment },
        );
        members.push({ pid, app, killed: false });
      };
      for (let i = 0; i < WORKERS; i++) await startMember(i === 0);

      const produced = await runApp(
        "producer",
        ["-n", String(RECORDS), "--topic", pipeline.input, "--id-prefix", prefix],
        {
          KAFKA_BROKERS: brokers,
        },
      );
      expect(produced.code).toBe(0);
      const ids = Array.from({ length: RECORDS }, (_, i) => `${prefix}-${String(i + 1).padStart(6, "0")}`);

      const completedSoFar = () =>
        new Set(
          members.flatMap((m) =>
            m.app.logs.filter((l) => l.event === LOG_EVENTS.completed).map((l) => l.recordId),
          ),
        );
      const killLog: string[] = [];
      for (let k = 0; k < KILLS; k++) {
        // Kills spread over the run by progress, not by the clock: the k-th after k/(KILLS+2) of the records.
        const due = Math.floor(((k + 1) * RECORDS) / (KILLS + 2));
        await vi.waitFor(
          () => expect(completedSoFar().size, `completions before kill ${k + 1}`).toBeGreaterThanOrEqual(due),
          {
            timeout: 180_000,
            interval: 50,
          },
        );
        const alive = members.filter((m) => !m.killed);
        const victim = alive[Math.floor(Math.random() * alive.length)] as Member;
        victim.killed = true;
        await victim.app.stop("SIGKILL");
        killLog.push(`${victim.pid} at ${completedSoFar().size} completed`);
        await startMember(false);
      }
      expect(completedSoFar().size, "the kills happened while records were still running").toBeLessThan(
        RECORDS,
      );

      const completionMessages = await readTopic(brokers, pipeline.output, {
        until: (read) => new Set(read.map((m) => m.key)).size >= RECORDS,
        timeoutMs: 300_000,
      });
      const completions = decodeCompletions(completionMessages);
      const deadLetters = await readTopic(brokers, pipeline.deadLetters);

      // Nothing lost, nothing dead-lettered.
      expect([...new Set(completions.map((c) => c.recordId))].sort()).toEqual(ids);
      expect(deadLetters).toHaveLength(0);

      // Every batch that ran more than once: each run but the last was on a worker that was
      // killed, and it was the last thing that worker did for the record (a step that ran but
      // whose result was not checkpointed yet; for the record's last batch, the completion the
      // same step published may follow it). A live worker never lost a task to another.
      const runsOfBatch = new Map<string, Run[]>();
      for (const member of members) {
        for (const line of member.app.logs) {
          if (line.event !== LOG_EVENTS.batchDeleted) continue;
          const key = `${line.recordId}#${line.batch}`;
          runsOfBatch.set(key, [...(runsOfBatch.get(key) ?? []), { member, line }]);
        }
      }
      let repeatedBatches = 0;
      for (const [key, runs] of runsOfBatch) {
        if (runs.length < 2) continue;
        repeatedBatches += runs.length - 1;
        runs.sort((a, b) => time(a.line) - time(b.line));
        for (const { member, line } of runs.slice(0, -1)) {
          expect(member.killed, `${key} ran first on ${member.pid}, which was never killed`).toBe(true);
          expect(isLastStepOf(member, line), `${key} was not ${member.pid}'s last act`).toBe(true);
        }
      }

      // Every completion published more than once: each copy but the last came from a worker
      // that was killed, as its last act for the record (published, not yet checkpointed).
      const byPid = new Map(members.map((m) => [m.pid, m]));
      const copies = new Map<string, string[]>();
      for (const m of completionMessages) {
        const key = m.key ?? "";
        copies.set(key, [...(copies.get(key) ?? []), m.headers[MESSAGE_HEADERS.publishedBy] ?? "(none)"]);
      }
      let duplicateCompletions = 0;
      for (const [recordId, publishers] of copies) {
        if (publishers.length < 2) continue;
        duplicateCompletions += publishers.length - 1;
        for (const pid of publishers.slice(0, -1)) {
          const member = byPid.get(pid);
          expect(member?.killed, `${recordId} first published by ${pid}, which was never killed`).toBe(true);
          const last = member && lastActOf(member, recordId);
          // Its last line for the record is the completion, or the final batch if it died
          // between publishing and logging.
          expect(
            last?.event === LOG_EVENTS.completed ||
              (last?.event === LOG_EVENTS.batchDeleted && last.rowsRemain === false),
            `${recordId}: publishing was not ${pid}'s last act`,
          ).toBe(true);
        }
      }

      // How close the survivors came to losing a task (the heartbeat rule in docs/architecture.md).
      const gaps = await Promise.all(
        members
          .filter((m) => !m.killed)
          .map(
            async (m) =>
              (await scrapeMetrics(await httpPort(m.app))).get(
                "deletor_resonate_heartbeat_gap_max_seconds",
              ) ?? 0,
          ),
      );
      expect(members.filter((m) => !m.killed).every((m) => m.app.child.exitCode === null)).toBe(true);
      console.log(
        `[chaos] widest heartbeat gap of a held task on a surviving worker: ${Math.max(...gaps).toFixed(1)} s (task TTL: the default)`,
      );
      console.log(
        `[chaos] kills: ${KILLS} (${killLog.join("; ")}); records: ${RECORDS}; batches run: ${[...runsOfBatch.values()].reduce((n, r) => n + r.length, 0)}; repeated batches: ${repeatedBatches}; duplicate completions: ${duplicateCompletions}`,
      );
    },
  );
});
