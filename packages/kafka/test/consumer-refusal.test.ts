import { describe, expect, it } from "vitest";
import { consumerRefusalIn } from "../src/consumer-refusal.js";

const fetchLoopLine = (error: string) =>
  `Consumer encountered error while consuming. Retrying. Error details: KafkaJSProtocolError: Broker: ${error} : Error: Broker: ${error}\n    at Function.createLibrdkafkaError (lib/error.js:485:10)`;

describe("consumerRefusalIn", () => {
  it("names the refusal of a consumer's fetch loop line (as the client logs it)", () => {
    expect(consumerRefusalIn(fetchLoopLine("Group authorization failed"))).toBe("Group authorization failed");
    expect(consumerRefusalIn(fetchLoopLine("Topic authorization failed"))).toBe("Topic authorization failed");
  });

  it("ignores a transient fetch error, a refusal elsewhere, and a refusal only in the stack", () => {
    expect(consumerRefusalIn(fetchLoopLine("Coordinator load in progress"))).toBeUndefined();
    expect(consumerRefusalIn("Broker: Topic authorization failed")).toBeUndefined();
    expect(
      consumerRefusalIn(
        "Consumer encountered error while consuming. Retrying. Error details: Error: timed out\n    at Topic authorization failed",
      ),
    ).toBeUndefined();
  });
});
