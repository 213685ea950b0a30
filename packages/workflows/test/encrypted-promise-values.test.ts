import { randomBytes } from "node:crypto";
import { createPayloadCipher, openStoredPromise } from "@deletion/resonate-client";
import { Codec } from "@resonatehq/sdk";
import { describe, expect, it } from "vitest";
import { readAttempt } from "../src/index.js";
import { ourPromise, outcomeOf, workflowInput } from "./stored-promises.js";

const k1 = { id: "k1", key: randomBytes(32) };
const k2 = { id: "k2", key: randomBytes(32) };

describe("an encrypted deletion promise", () => {
  it("a promise read raw: the attempt reads as not ours, with the reason", () => {
    const codec = new Codec();
    const cipher = createPayloadCipher({ mode: "aes-256-gcm", current: k1 });
    const input = workflowInput("r1", 1);
    const promise = ourPromise("deletion/r1", input, "resolved", outcomeOf("r1", 1));
    const encrypted = {
      ...promise,
      param: cipher.seal(codec.encode({ func: "deleteRecord", args: [input], version: 1 }), promise.id),
      value: cipher.seal(codec.encode(outcomeOf("r1", 1)), promise.id),
    };
    const ref = { recordId: "r1", attempt: 1, promiseId: "deletion/r1" };
    const withKey = createPayloadCipher({ mode: "aes-256-gcm", current: k1 });
    expect(readAttempt(openStoredPromise(encrypted, withKey), ref)).toMatchObject({ kind: "completed" });
    const withoutKey = createPayloadCipher({ mode: "aes-256-gcm", current: k2 });
    expect(readAttempt(openStoredPromise(encrypted, withoutKey), ref)).toEqual({
      kind: "foreign",
      reason:
        "promise deletion/r1: param the stored value is encrypted with key id k1, which is not among the configured keys (k2)",
    });
  });
});

describe("an encrypted value copied onto another promise", () => {
  it("does not open there: the promise id is bound into the authentication", () => {
    const codec = new Codec();
    const cipher = createPayloadCipher({ mode: "aes-256-gcm", current: k1 });
    const input = workflowInput("r1", 1);
    const original = ourPromise("deletion/r1", input, "resolved", outcomeOf("r1", 1));
    const sealed = cipher.seal(
      codec.encode({ func: "deleteRecord", args: [input], version: 1 }),
      original.id,
    );
    const copy = { ...ourPromise("deletion/r2", workflowInput("r2", 1), "pending"), param: sealed };
    const ref = { recordId: "r2", attempt: 1, promiseId: "deletion/r2" };
    expect(readAttempt(openStoredPromise(copy, cipher), ref)).toMatchObject({
      kind: "foreign",
      reason: expect.stringContaining("fails authentication for this promise"),
    });
  });
});
