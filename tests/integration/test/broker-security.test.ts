import { randomBytes } from "node:crypto";
import { LOG_EVENTS } from "@deletion/contracts";
import { idDigits, recordIdFor } from "@deletion/kafka";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { resonateModes } from "../fixtures/modes.js";
import { readCompletionsOf, startWorker } from "../fixtures/pipeline.js";
import {
  mutualTlsEnv,
  plaintextEnv,
  removeFiles,
  saslSslEnv,
  scramUser,
  secretFile,
  secured,
  securedKafka,
  securedSkipReason,
  tlsWithoutCredentialsEnv,
  uncreatedPipeline,
} from "../fixtures/secured-broker.js";
import {
  type EnvOverrides,
  LEVEL,
  logLines,
  runApp,
  stopAllApps,
  topicPartitions,
} from "../support/index.js";

afterEach(stopAllApps);
afterAll(removeFiles);

const plaintextBrokers = inject("kafkaBrokers");
const needsSecured = it.skipIf(!securedKafka);

/** A password the broker does not know: refused, and a secret of the run all the same. */
const WRONG_PASSWORD = `wrong-${randomBytes(12).toString("hex")}`;

/** Everything every app printed in this file, searched for the run's passwords at the end. */
const captured: { what: string; text: string }[] = [];
const keep = (what: string, run: { stdout: string; stderr: string }) =>
  captured.push({ what, text: `${run.stdout}\n${run.stderr}` });

const CONNECT_TIMEOUT_MS = 4_000;

/**
 * What ended the app's wait for the brokers, as its error says: a refusal, or the connect
 * timeout it was given (the number in "did not answer within N ms"), never a longer default.
 */
const endedBy = (message: string): "a refusal" | number => {
  const waited = /did not answer within (\d+) ms/.exec(message);
  return waited ? Number(waited[1]) : "a refusal";
};

const lines = (text: string) => text.split("\n").filter((l) => l.trim() !== "");

describe.each(resonateModes)("the pipeline over SASL_SSL $label", ({ name, url, skip }) => {
  const mechanism = name === "server" ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
  it.skipIf(skip || !securedKafka)(
    `topic-setup, producer and worker (${mechanism}) complete every record${securedSkipReason}`,
    async () => {
      // One mode takes the password from a variable, the other from a file.
      const env = saslSslEnv({ user: scramUser(mechanism), passwordFile: name === "server" });
      const pipeline = uncreatedPipeline(plaintextBrokers);
      const topics = [pipeline.input, pipeline.output, pipeline.deadLetters];

      const setup = await runApp("topic-setup", ["--partitions", "3"], {
        ...env,
        INPUT_TOPIC: pipeline.input,
        OUTPUT_TOPIC: pipeline.output,
        DEAD_LETTER_TOPIC: pipeline.deadLetters,
        // The worker consumes this pipeline's bulk topic too: topic-setup creates it as well.
        BULK_TOPIC: pipeline.bulk.topic,
        BULK_COMPLETION_TOPIC: pipeline.bulk.completions,
      });
      keep("topic-setup", setup);
      expect(setup.code, setup.stderr).toBe(0);
      expect(await topicPartitions(plaintextBrokers, topics)).toEqual(new Map(topics.map((t) => [t, 3])));

      const worker = await startWorker(
        pipeline,
        { ...env, BATCH_SLEEP_MS: "50", SIM_SEED: "5" },
        { resonateUrl: url },
      );
      const count = 20;
      const prefix = pipeline.id("sasl");
      const produced = await runApp(
        "producer",
        ["-n", String(count), "--topic", pipeline.input, "--id-prefix", prefix],
        env,
      );
      keep("producer", produced);
      expect(produced.code, produced.stderr).toBe(0);

      const ids = Array.from({ length: count }, (_, i) => recordIdFor(prefix, i + 1, idDigits(count)));
      const completions = await readCompletionsOf(pipeline, ids);
      expect(completions.map((c) => c.recordId).sort()).toEqual(ids);
      expect(completions.every((c) => c.source.topic === pipeline.input)).toBe(true);

      expect(await worker.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      keep(`worker (${name})`, { stdout: worker.stdout(), stderr: worker.stderr() });
      expect(worker.logs.filter((l) => l.level >= LEVEL.error)).toEqual([]);
    },
  );
});

describe("refused broker connections end the app within its connect timeout", () => {
  const workerCases: { what: string; env: () => EnvOverrides; failure: RegExp }[] = [
    {
      what: "a wrong password",
      env: () => saslSslEnv({ password: WRONG_PASSWORD }),
      failure:
        /SASL authentication failed at 127\.0\.0\.1:\d+: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/,
    },
    {
      what: "no credentials, TLS only",
      env: tlsWithoutCredentialsEnv,
      failure: /127\.0\.0\.1:\d+: Disconnected: SSL connection closed by peer \(.*expect SASL credentials/,
    },
    {
      what: "no security settings at all",
      env: plaintextEnv,
      failure: /127\.0\.0\.1:\d+: Disconnected: connection closed by peer.*\(.*does this listener expect TLS/,
    },
    {
      what: "a CA that did not sign the broker's certificate",
      env: () => saslSslEnv({ caFile: secured().untrustedCaFile }),
      failure: /TLS with 127\.0\.0\.1:\d+ failed: error:[0-9A-F]+:SSL routines::certificate verify failed/,
    },
  ];

  needsSecured.each(workerCases)(
    `worker: $what -> exit 1, one line naming the broker${securedSkipReason}`,
    async (c) => {
      const brokers = secured().saslSslBootstrapServers;
      const run = await runApp(
        "deletor-worker",
        [],
        { ...c.env(), CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS), HTTP_PORT: "0", RESONATE_URL: "" },
        { timeoutMs: 60_000 },
      );
      keep(`worker with ${c.what}`, run);
      expect(run.timedOut).toBe(false);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const failed = logLines(run.stdout).filter((l) => l.level >= LEVEL.error);
      expect(failed.map((l) => l.event)).toEqual([LOG_EVENTS.startFailed]);
      expect(["a refusal", CONNECT_TIMEOUT_MS]).toContain(endedBy(String(failed[0]?.msg)));
      expect(failed[0]).toMatchObject({ brokers });
      expect(String(failed[0]?.msg)).toMatch(c.failure);
      expect(String(failed[0]?.msg)).toContain(brokers);
      expect(lines(`${run.stdout}\n${run.stderr}`).filter((l) => c.failure.test(l))).toHaveLength(1);
    },
  );

  const toolCases: {
    app: string;
    what: string;
    env: () => EnvOverrides;
    args?: string[];
    failure: RegExp;
  }[] = [
    {
      app: "producer",
      what: "a wrong password",
      env: () =>
        saslSslEnv({ user: scramUser("SCRAM-SHA-256"), password: WRONG_PASSWORD, passwordFile: true }),
      args: ["-n", "5"],
      failure:
        /SASL authentication failed at 127\.0\.0\.1:\d+: .*invalid credentials with SASL mechanism SCRAM-SHA-256/,
    },
    {
      app: "topic-setup",
      what: "a CA that did not sign the broker's certificate",
      env: () => ({
        ...saslSslEnv({ caFile: secured().untrustedCaFile }),
        TOPIC_SETUP_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      }),
      failure: /TLS with 127\.0\.0\.1:\d+ failed: .*certificate verify failed/,
    },
    {
      app: "redrive",
      what: "no credentials, TLS only",
      env: tlsWithoutCredentialsEnv,
      failure: /SSL connection closed by peer \(.*expect SASL credentials/,
    },
    {
      app: "topic-setup",
      what: "mutual TLS without a client certificate",
      env: () => ({ ...mutualTlsEnv(false), TOPIC_SETUP_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) }),
      failure:
        /TLS with 127\.0\.0\.1:\d+ failed: .*alert bad certificate.*\(the broker wants a client certificate/,
    },
  ];

  needsSecured.each(toolCases)(
    `$app: $what -> exit 1, one line naming the broker${securedSkipReason}`,
    async (c) => {
      const env = c.env();
      const run = await runApp(
        c.app,
        c.args ?? [],
        { ...env, CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) },
        {
          timeoutMs: 60_000,
        },
      );
      keep(`${c.app} with ${c.what}`, run);
      expect(run.timedOut).toBe(false);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      // One line for people (stderr) and the same as one structured error line (stdout).
      const [message, ...more] = lines(run.stderr);
      expect(more).toEqual([]);
      expect(["a refusal", CONNECT_TIMEOUT_MS]).toContain(endedBy(String(message)));
      expect(message).toMatch(new RegExp(`^${c.app}: could not .* on Kafka at ${env.KAFKA_BROKERS}: `));
      expect(message).toMatch(c.failure);
      const errors = logLines(run.stdout).filter((l) => l.level >= LEVEL.error);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ brokers: env.KAFKA_BROKERS });
    },
  );

  needsSecured(
    `topic-setup: mutual TLS with the client certificate -> topics created${securedSkipReason}`,
    async () => {
      const pipeline = uncreatedPipeline(plaintextBrokers);
      const run = await runApp("topic-setup", ["--partitions", "2"], {
        ...mutualTlsEnv(true),
        INPUT_TOPIC: pipeline.input,
        OUTPUT_TOPIC: pipeline.output,
        DEAD_LETTER_TOPIC: pipeline.deadLetters,
      });
      keep("topic-setup over mutual TLS", run);
      expect(run.code, run.stderr).toBe(0);
      expect((await topicPartitions(plaintextBrokers, [pipeline.input])).get(pipeline.input)).toBe(2);
    },
  );
});

describe("the demo over SASL_SSL", () => {
  needsSecured(
    `its own clients and the workers it starts use the settings it was given${securedSkipReason}`,
    async () => {
      const user = scramUser("SCRAM-SHA-512");
      const run = await runApp(
        "demo",
        [
          "-n",
          "5",
          "--batch-sleep-ms",
          "100",
          "--json",
          "--brokers",
          secured().saslSslBootstrapServers,
          "--kafka-security-protocol",
          "sasl_ssl",
          "--kafka-sasl-username",
          user.username,
          "--kafka-sasl-password-file",
          secretFile(user.password),
          "--kafka-ssl-ca-file",
          secured().caFile,
        ],
        // Only the flags: the workers can get the settings from nowhere but the demo.
        { ...plaintextEnv(), KAFKA_BROKERS: undefined, RESONATE_URL: undefined },
        { timeoutMs: 180_000 },
      );
      keep("demo", run);
      expect(run.code, run.stderr.slice(-3000)).toBe(0);
      const summary = JSON.parse(run.stdout.split("\n").findLast((l) => l.startsWith('{"runId"')) ?? "{}");
      expect(summary).toMatchObject({ finished: true, records: 5, completed: 5, failed: 0 });
    },
  );
});

describe("secrets stay out of every app's output", () => {
  const apps = ["deletor-worker", "producer", "topic-setup", "redrive", "demo"];

  needsSecured.each(apps)(
    `%s --help names the secret settings but shows no value${securedSkipReason}`,
    async (app) => {
      const run = await runApp(app, ["--help"], saslSslEnv());
      keep(`${app} --help`, run);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /--kafka-sasl-password <value> .*\[env KAFKA_SASL_PASSWORD\] \(secret: never shown\)/,
      );
      expect(run.stdout).toContain("KAFKA_SASL_PASSWORD_FILE");
    },
  );

  const badInput: { app: string; what: string; env: () => EnvOverrides; args?: string[]; names: RegExp }[] = [
    {
      app: "deletor-worker",
      what: "the password as a variable and as a file",
      env: () => {
        const env = saslSslEnv();
        return { ...env, KAFKA_SASL_PASSWORD_FILE: secretFile(String(env.KAFKA_SASL_PASSWORD)) };
      },
      names: /KAFKA_SASL_PASSWORD and --kafka-sasl-password-file \/ KAFKA_SASL_PASSWORD_FILE are both set/,
    },
    {
      app: "producer",
      what: "a mechanism typo",
      env: () => ({ ...saslSslEnv(), KAFKA_SASL_MECHANISM: "SCRAM-SHA-1" }),
      names: /^ {2}KAFKA_SASL_MECHANISM = "SCRAM-SHA-1": /m,
    },
    {
      app: "topic-setup",
      what: "SASL without a username",
      env: () => ({ ...saslSslEnv(), KAFKA_SASL_USERNAME: undefined }),
      names: /--kafka-sasl-username \/ KAFKA_SASL_USERNAME is required/,
    },
    {
      app: "redrive",
      what: "a password flag without a SASL protocol",
      env: () => ({ ...plaintextEnv(), KAFKA_SSL_CA_FILE: secured().caFile }),
      args: ["--kafka-sasl-password", scramUser("SCRAM-SHA-512").password],
      names: /--kafka-sasl-password \/ KAFKA_SASL_PASSWORD set, but .* = plaintext does not use SASL/,
    },
    {
      app: "deletor-worker",
      what: "a CA file that is not there",
      env: () => ({ ...saslSslEnv(), KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" }),
      names: /KAFKA_SSL_CA_FILE = "\/nonexistent\/ca\.pem": cannot read it/,
    },
    {
      app: "demo",
      what: "SASL settings without a broker to use them with",
      env: () => ({ ...saslSslEnv(), KAFKA_BROKERS: undefined }),
      names: /KAFKA_SECURITY_PROTOCOL = sasl_ssl needs --brokers \/ KAFKA_BROKERS/,
    },
  ];

  needsSecured.each(badInput)(`$app with $what: exit 2 naming the setting${securedSkipReason}`, async (c) => {
    const run = await runApp(c.app, c.args ?? [], c.env());
    keep(`${c.app} with ${c.what}`, run);
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(/invalid configuration/);
    expect(run.stderr).toMatch(c.names);
  });

  needsSecured(`no password of the run appears in anything the apps printed${securedSkipReason}`, () => {
    const secrets = [...secured().users.map((u) => u.password), WRONG_PASSWORD];
    // The failure and bad-input cases above ran; the pipeline ones too unless skipped.
    expect(captured.length).toBeGreaterThanOrEqual(15);
    for (const { what, text } of captured) {
      for (const secret of secrets) expect(text.includes(secret), `${what} printed a password`).toBe(false);
    }
  });
});
