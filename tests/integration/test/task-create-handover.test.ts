import { randomUUID } from "node:crypto";
import { taskCreateOutcome } from "@deletion/resonate-client";
import { describe, expect, it } from "vitest";
import { needsServer, resonateServerUrl } from "../fixtures/modes.js";
import { type Answer, PROTOCOL_VERSION, send, workflowTaskCreate } from "../fixtures/raw-protocol.js";

/*
 * How the server really answers the task.create of a redelivered request whose worker died, read
 * by the same classifier the worker uses: a start that finds the record's workflow must attach to
 * it, never log and count a second workflow.
 */
describe("task.create outcomes on the Resonate server", () => {
  it.skipIf(!resonateServerUrl)(
    needsServer(
      "the same request again once its worker's lease expired: the server hands the task over, and that is 'exists', not 'created'",
    ),
    async () => {
      const url = resonateServerUrl as string;
      const id = `handover-${randomUUID()}`;
      const param = Buffer.from(JSON.stringify({ func: "deleteRecord", args: [id] })).toString("base64");
      // Nobody polls this group, so an expired lease leaves the task pending for the next start.
      const target = `poll://any@nobody-${randomUUID()}`;
      type Request = Parameters<typeof taskCreateOutcome>[0];
      const create = async (pid: string, ttl: number): Promise<[Answer, Request]> => {
        const data = workflowTaskCreate({ id, pid, ttl, param, target });
        const sent = { kind: "task.create", head: { corrId: randomUUID(), version: PROTOCOL_VERSION }, data };
        return [await send(url, sent.kind, data), sent as unknown as Request];
      };
      const outcome = ([answer, sent]: [Answer, Request]) =>
        taskCreateOutcome(sent, answer.status, { data: answer.data });

      const first = await create("worker-that-dies", 1_000);
      expect(first[0].status).toBe(200);
      expect(outcome(first)).toBe("created");

      // The worker is gone (no heartbeat). The redelivered request is refused while the lease
      // holds, then handed the task once it expired.
      let again = await create("worker-that-takes-over", 60_000);
      while (again[0].status === 409) {
        expect(outcome(again)).toBe("exists");
        await new Promise((resolve) => setTimeout(resolve, 100));
        again = await create("worker-that-takes-over", 60_000);
      }
      expect(again[0].status).toBe(200);
      const task = (again[0].data as { task: { state: string; version: number; pid?: string } }).task;
      expect(task).toMatchObject({ state: "acquired", version: 2 });
      expect(outcome(again)).toBe("exists");
    },
    60_000,
  );
});
