import { describe, expect, it } from "vitest";
import { KafkaJS } from "../src/client.js";
import { classifyPublishError, PERMANENT_PUBLISH_ERRORS } from "../src/publish-errors.js";

const codes = KafkaJS.ErrorCodes;
/** What a delivery report rejects send() with. */
const delivery = (message: string, code: number) => new KafkaJS.KafkaJSError(message, { code });
/** What produce() itself throws (the client's size check): an Error with the librdkafka code. */
const thrownByProduce = (message: string, code: number) => Object.assign(new Error(message), { code });

describe("classifyPublishError", () => {
  it.each([
    ["Broker: Message size too large", codes.ERR_MSG_SIZE_TOO_LARGE, "ERR_MSG_SIZE_TOO_LARGE"],
    [
      "Broker: Topic authorization failed",
      codes.ERR_TOPIC_AUTHORIZATION_FAILED,
      "ERR_TOPIC_AUTHORIZATION_FAILED",
    ],
    ["Local: Unknown topic", codes.ERR__UNKNOWN_TOPIC, "ERR__UNKNOWN_TOPIC"],
    ["Broker: Invalid record", codes.ERR_INVALID_RECORD, "ERR_INVALID_RECORD"],
    [
      "Broker: Message batch larger than configured server segment size",
      codes.ERR_RECORD_LIST_TOO_LARGE,
      "ERR_RECORD_LIST_TOO_LARGE",
    ],
    ["Local: Fatal error", codes.ERR__FATAL, "ERR__FATAL"],
  ])("%s is refused for good", (message, code, reason) => {
    expect(classifyPublishError(delivery(message, code))).toEqual({ permanent: true, reason, code, message });
  });

  it("reads the code of an error produce() throws as well", () => {
    expect(classifyPublishError(thrownByProduce("Broker: Message size too large", 10))).toMatchObject({
      permanent: true,
      reason: "ERR_MSG_SIZE_TOO_LARGE",
    });
  });

  it.each([
    ["Local: Message timed out", codes.ERR__MSG_TIMED_OUT],
    ["Local: Broker transport failure", codes.ERR__TRANSPORT],
    ["Local: All broker connections are down", codes.ERR__ALL_BROKERS_DOWN],
    ["Broker: Not enough in-sync replicas", codes.ERR_NOT_ENOUGH_REPLICAS],
    ["Broker: Leader not available", codes.ERR_LEADER_NOT_AVAILABLE],
    ["Broker: Unknown topic or partition", codes.ERR_UNKNOWN_TOPIC_OR_PART],
    ["Local: Queue full", codes.ERR__QUEUE_FULL],
    ["Cannot send without awaiting connect()", codes.ERR__STATE],
  ])("%s is transient", (message, code) => {
    expect(classifyPublishError(delivery(message, code))).toMatchObject({ permanent: false, code, message });
  });

  it("treats an error without a code as transient, and says it does not know it", () => {
    expect(classifyPublishError(new Error("socket hang up"))).toEqual({
      permanent: false,
      reason: "UNKNOWN",
      code: undefined,
      message: "socket hang up",
    });
    expect(classifyPublishError("weird")).toMatchObject({ permanent: false, message: "weird" });
  });

  it("names only codes the client knows", () => {
    for (const name of PERMANENT_PUBLISH_ERRORS) expect(codes, name).toHaveProperty(name);
  });
});
