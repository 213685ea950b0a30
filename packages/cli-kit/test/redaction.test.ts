import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { REDACTED, redactSecrets } from "../src/redaction.js";

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

describe("redactSecrets", () => {
  it("returns the very object when it holds no secret, so a plain log line is not copied", () => {
    const fields = { event: "batch_deleted", recordId: "r1", nested: { batch: 2, rows: [1, 2] } };
    expect(redactSecrets(fields)).toBe(fields);
  });

  it("finds secrets in arrays and errors, leaves the input untouched and stops three levels down", () => {
    const error = Object.assign(new Error("refused"), {
      request: { headers: { authorization: "Bearer x" } },
    });
    const fields = {
      brokers: [{ host: "b1", password: "pw-1" }],
      err: error,
      a: { b: { c: { token: "deep-3" } } },
      w: { x: { y: { z: { token: "deep-4" } } } },
      payload: Buffer.from("token"),
    };
    const out = redactSecrets(fields);
    expect(out).toMatchObject({
      brokers: [{ host: "b1", password: REDACTED }],
      err: { message: "refused", request: { headers: { authorization: REDACTED } } },
      a: { b: { c: { token: REDACTED } } },
      w: { x: { y: { z: { token: "deep-4" } } } },
    });
    expect(out.payload).toBe(fields.payload);
    expect(fields.brokers[0]?.password).toBe("pw-1");
    expect(error.request.headers.authorization).toBe("Bearer x");
  });

  it("redacts an error logged under err with its message and stack kept", async () => {
    const out = capture();
    const logger = createLogger({ name: "t", destination: out.stream });
    logger.warn({ err: Object.assign(new Error("boom"), { config: { password: "pw-err" } }) }, "failed");
    logger.flush();
    await new Promise((resolve) => setImmediate(resolve));
    const [line] = out.lines();
    expect(JSON.stringify(line)).not.toContain("pw-err");
    expect(line).toMatchObject({ err: { message: "boom", config: { password: REDACTED } } });
    expect(String((line?.err as { stack?: string } | undefined)?.stack)).toContain("boom");
  });
});
