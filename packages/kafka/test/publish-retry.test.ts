import { describe, expect, it } from "vitest";
import { KafkaJS } from "../src/client.js";
import { GAVE_UP, publishWithRetry } from "../src/publish-retry.js";
import { FakeClock } from "./fake-clock.js";

const timedOut = () =>
  new KafkaJS.KafkaJSError("Local: Message timed out", { code: KafkaJS.ErrorCodes.ERR__MSG_TIMED_OUT });
const tooLarge = () =>
  new KafkaJS.KafkaJSError("Broker: Message size too large", {
    code: KafkaJS.ErrorCodes.ERR_MSG_SIZE_TOO_LARGE,
  });

/** A send that fails with the given errors in turn, then succeeds. */
function failing(errors: Error[]) {
  let calls = 0;
  const send = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return "ack";
  };
  return { send, calls: () => calls };
}

const options = (clock: FakeClock) => ({
  initialDelayMs: 100,
  maxDelayMs: 400,
  giveUpAfterMs: 10_000,
  clock,
});
const total = (clock: FakeClock) => clock.slept.reduce((a, b) => a + b, 0);

describe("publishWithRetry", () => {
  it("retries transient failures with doubling back-off, then publishes", async () => {
    const clock = new FakeClock();
    const { send, calls } = failing([timedOut(), timedOut(), timedOut(), timedOut()]);
    const delays: number[] = [];
    const result = await publishWithRetry(send, {
      ...options(clock),
      onTransient: (_e, _a, next) => delays.push(next),
    });

    expect(result).toEqual({ status: "published", value: "ack" });
    expect(calls()).toBe(5);
    expect(delays).toEqual([100, 200, 400, 400]);
    expect(total(clock)).toBe(1_100);
  });

  it("stops at the first refusal for good, without waiting", async () => {
    const clock = new FakeClock();
    const { send, calls } = failing([tooLarge()]);
    const result = await publishWithRetry(send, options(clock));

    expect(result).toMatchObject({
      status: "refused",
      attempts: 1,
      error: { permanent: true, reason: "ERR_MSG_SIZE_TOO_LARGE", message: "Broker: Message size too large" },
    });
    expect(calls()).toBe(1);
    expect(clock.slept).toEqual([]);
  });

  it("gives up on transient failures that outlast the bound, naming the last error", async () => {
    const clock = new FakeClock();
    const { send, calls } = failing(Array.from({ length: 1_000 }, timedOut));
    const result = await publishWithRetry(send, { ...options(clock), giveUpAfterMs: 2_000 });

    expect(result.status).toBe("refused");
    if (result.status !== "refused") return;
    expect(result.error.reason).toBe(GAVE_UP);
    expect(result.error.message).toContain("Local: Message timed out");
    expect(result.error.message).toContain("ERR__MSG_TIMED_OUT");
    // 100 + 200 + 400 + 400 + 400 + 400 = 1,900 ms waited; the next wait would pass 2,000 ms.
    expect(total(clock)).toBe(1_900);
    expect(calls()).toBe(7);
  });

  it("ends with 'stopped' once the caller stops, without another attempt", async () => {
    const clock = new FakeClock();
    let stopped = false;
    const { send, calls } = failing(Array.from({ length: 1_000 }, timedOut));
    const result = await publishWithRetry(send, {
      ...options(clock),
      isStopped: () => stopped,
      onTransient: (_e, attempt) => {
        if (attempt === 3) stopped = true;
      },
    });

    expect(result).toEqual({ status: "stopped" });
    expect(calls()).toBe(3);
  });
});
