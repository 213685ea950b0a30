import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { REDACTED } from "../src/redaction.js";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {
    stream,
    lines: () =>
      text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe("createLogger redaction", () => {
  it("replaces every secret field, at the top and nested, and keeps the rest", async () => {
    const out = capture();
    const logger = createLogger({ name: "t", destination: out.stream });
    logger.info(
      {
        token: "tok-top-secret",
        config: {
          brokers: "b:9093",
          sasl: { mechanism: "scram-sha-512", username: "worker", password: "pw-secret-1" },
          resonate: { url: "http://r:8001", token: "tok-nested-secret" },
        },
        request: { headers: { authorization: "Bearer abc.def.ghi" } },
        encryption: { keys: { encryptionKey: "a2V5LXNlY3JldA==" } },
      },
      "started",
    );
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const text = JSON.stringify(out.lines());
    for (const secret of [
      "tok-top-secret",
      "pw-secret-1",
      "tok-nested-secret",
      "abc.def.ghi",
      "a2V5LXNlY3JldA==",
    ]) {
      expect(text).not.toContain(secret);
    }
    const [line] = out.lines();
    expect(line).toMatchObject({
      token: REDACTED,
      config: {
        brokers: "b:9093",
        sasl: { mechanism: "scram-sha-512", username: "worker", password: REDACTED },
        resonate: { url: "http://r:8001", token: REDACTED },
      },
      request: { headers: { authorization: REDACTED } },
    });
  });
});
