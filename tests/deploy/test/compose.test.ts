import { bulkCli } from "@deletion/bulk/config";
import { parseOptions } from "@deletion/cli-kit";
import { BULK_TOPICS, TOPICS } from "@deletion/contracts";
import { workerCli } from "@deletion/deletor-worker/config";
import { statusCli } from "@deletion/status/config";
import { topicSetupCli } from "@deletion/topic-setup/config";
import { describe, expect, it } from "vitest";
import {
  argsOf,
  dependsOn,
  envOf,
  flagValue,
  hasHealthcheck,
  healthcheckText,
  hostPortFor,
  isPinned,
  loadCompose,
  parseImageRef,
  parseListeners,
  portsOf,
  service,
} from "../support/compose.js";
import { readText, workspacePackages } from "../support/repo.js";
import { CONSOLE_V2_ONLY_ENV_PREFIXES, CONSOLE_V3_ENV } from "../support/versions.js";

const compose = loadCompose();
const redpanda = service(compose, "redpanda");
const resonate = service(compose, "resonate");
const worker = service(compose, "worker");
const topicSetup = service(compose, "topic-setup");
const producer = service(compose, "producer");
const console_ = service(compose, "redpanda-console");

const redpandaArgs = argsOf(redpanda.command);
const advertised = parseListeners(flagValue(redpandaArgs, "--advertise-kafka-addr"));
const bound = parseListeners(flagValue(redpandaArgs, "--kafka-addr"));
/** The listener containers use: advertised under the service's own name. */
const internal = advertised.find((l) => l.host === "redpanda");
/** The listener programs on the host use. */
const external = advertised.find((l) => l.host === "localhost" || l.host === "127.0.0.1");
const internalAddress = internal ? `${internal.host}:${internal.port}` : "(no internal listener)";

const resonateArgs = argsOf(resonate.command);
const resonatePort = Number(flagValue(resonateArgs, "--server-port") ?? 8001);

const workerEnv = envOf(worker);
const workerConfig = (() => {
  const result = parseOptions(workerCli, [], workerEnv);
  if (result.kind !== "ok")
    throw new Error(`the worker rejects its compose environment: ${JSON.stringify(result)}`);
  return result.config;
})();

describe("docker-compose.yml services", () => {
  it("defines the broker, console, Resonate server, topic set-up, workers and producer", () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        "redpanda",
        "redpanda-console",
        "resonate",
        "topic-setup",
        "worker",
        "producer",
      ]),
    );
  });

  it("pins every image: third-party ones to an exact release, built ones to an explicit tag", () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      expect(svc.image, `${name} has no image`).toBeTypeOf("string");
      const ref = parseImageRef(svc.image as string);
      expect(ref.tag ?? ref.digest, `${name}: ${svc.image} has no tag`).toBeDefined();
      expect(ref.tag, `${name}: ${svc.image}`).not.toBe("latest");
      if (svc.build === undefined)
        expect(isPinned(svc.image as string), `${name}: ${svc.image} floats`).toBe(true);
    }
    expect(readText("docker-compose.yml")).not.toMatch(/:latest\b/);
  });

  it("builds the app images locally instead of pulling their names from a registry", () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.build !== undefined) expect(svc.pull_policy, name).toBe("build");
    }
  });

  it("has health checks on the broker, the Resonate server and the workers", () => {
    for (const name of ["redpanda", "resonate", "worker"]) {
      expect(hasHealthcheck(service(compose, name)), `${name} has no healthcheck`).toBe(true);
    }
  });

  it("declares every named volume a service mounts", () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const volume of svc.volumes ?? []) {
        const source = typeof volume === "string" ? volume.split(":")[0] : volume.source;
        if (source && !/^[./~$]/.test(source)) {
          expect(Object.keys(compose.volumes ?? {}), `${name} mounts undeclared volume ${source}`).toContain(
            source,
          );
        }
      }
    }
  });
});

describe("start order", () => {
  it("topic-setup waits for a healthy broker", () => {
    expect(dependsOn(topicSetup).redpanda).toBe("service_healthy");
  });

  it("workers wait for the topics and a healthy Resonate server", () => {
    expect(dependsOn(worker)["topic-setup"]).toBe("service_completed_successfully");
    expect(dependsOn(worker).resonate).toBe("service_healthy");
  });

  it("the console waits for the broker", () => {
    expect(dependsOn(console_).redpanda).toBeDefined();
  });

  it("topic-setup is a one-shot: never restarted after it exits", () => {
    expect([undefined, "no", "on-failure"]).toContain(topicSetup.restart?.split(":")[0]);
  });
});

describe("redpanda", () => {
  it("runs one node in dev-container mode", () => {
    expect(redpandaArgs.slice(0, 2)).toEqual(["redpanda", "start"]);
    expect(flagValue(redpandaArgs, "--mode")).toBe("dev-container");
    expect(flagValue(redpandaArgs, "--smp")).toBe("1");
  });

  it("advertises an internal listener (redpanda:9092) and an external one on localhost:19092", () => {
    expect(internal).toMatchObject({ host: "redpanda", port: 9092 });
    expect(external).toMatchObject({ host: "localhost", port: 19092 });
  });

  it("publishes the external listener on the host port it advertises", () => {
    const externalBind = bound.find((l) => l.name === external?.name);
    expect(externalBind, "no --kafka-addr for the external listener").toBeDefined();
    expect(hostPortFor(redpanda, externalBind?.port ?? -1)).toBe(external?.port);
  });

  it("checks its health with rpk", () => {
    expect(healthcheckText(redpanda)).toMatch(/rpk cluster health/);
  });

  it("is restarted unless stopped by hand", () => {
    expect(redpanda.restart).toBe("unless-stopped");
  });
});

describe("redpanda-console", () => {
  const consoleEnv = envOf(console_);

  it("is on localhost:8080 and talks to the internal listener", () => {
    expect(hostPortFor(console_, 8080)).toBe(8080);
    expect(consoleEnv.KAFKA_BROKERS).toBe(internalAddress);
  });

  it("is configured with Console v3 keys only, none that v3 moved or removed", () => {
    for (const key of Object.keys(consoleEnv)) {
      expect(CONSOLE_V3_ENV.has(key), `${key} is not a Console v3 key this stack uses`).toBe(true);
      for (const prefix of CONSOLE_V2_ONLY_ENV_PREFIXES) {
        expect(key.startsWith(prefix), `${key} is a Console v2 key`).toBe(false);
      }
    }
  });

  it("reaches the broker's Admin API over plain HTTP (redpanda.adminApi)", () => {
    expect(consoleEnv.REDPANDA_ADMINAPI_ENABLED).toBe("true");
    const urls = (consoleEnv.REDPANDA_ADMINAPI_URLS ?? "").split(",");
    for (const url of urls) expect(url).toBe("http://redpanda:9644");
  });
});

describe("resonate", () => {
  it("serves on port 8001, published on the host as 8001", () => {
    expect(resonateArgs[0]).toBe("serve");
    expect(resonatePort).toBe(8001);
    expect(hostPortFor(resonate, resonatePort)).toBe(8001);
  });

  it("keeps its promises in the postgres service's resonate database, and waits for it", () => {
    expect(flagValue(resonateArgs, "--storage-type")).toBe("postgres");
    // From the environment: a URL with a password on the command line shows in `ps`.
    expect(flagValue(resonateArgs, "--storage-postgres-url")).toBeUndefined();
    const url = new URL(envOf(resonate).RESONATE_STORAGE__POSTGRES__URL ?? "postgres://(unset)");
    expect(url.hostname).toBe("postgres");
    expect(url.pathname).toBe("/resonate");
    expect(dependsOn(resonate).postgres).toBe("service_healthy");
    expect(readText("deploy/postgres/init/10-resonate-database.sql")).toMatch(/CREATE DATABASE resonate;/);
  });

  it("is health-checked with the image's wget on /ready (storage reachable) of its own port", () => {
    const test = resonate.healthcheck?.test;
    expect(Array.isArray(test), "the healthcheck should be an exec form list").toBe(true);
    const [form, program, ...args] = Array.isArray(test) ? test : [];
    expect(form).toBe("CMD");
    expect(program).toBe("wget");
    expect(args).toContain(`http://127.0.0.1:${resonatePort}/ready`);
    expect(healthcheckText(resonate)).not.toMatch(/\bbash\b|\/dev\/tcp/);
  });

  it("is restarted unless stopped by hand", () => {
    expect(resonate.restart).toBe("unless-stopped");
  });
});

describe("postgres", () => {
  const postgres = service(compose, "postgres");

  it("keeps its data on a named volume, is health-checked and restarted unless stopped", () => {
    const mounts = (postgres.volumes ?? []).map((v) => (typeof v === "string" ? v.split(":")[0] : v.source));
    expect(Object.keys(compose.volumes ?? {})).toContain(mounts[0]);
    expect(hasHealthcheck(postgres)).toBe(true);
    expect(postgres.restart).toBe("unless-stopped");
  });

  it("is the workers' database: the URL names the service and the database it creates", () => {
    const url = new URL(workerConfig.databaseUrl ?? "postgres://(unset)");
    expect(url.hostname).toBe("postgres");
    expect(url.pathname).toBe(`/${envOf(postgres).POSTGRES_DB}`);
    expect(url.username).toBe(envOf(postgres).POSTGRES_USER);
    expect(dependsOn(worker).postgres).toBe("service_healthy");
  });

  it("the workers delete simulated rows unless told otherwise, and know the demo tables", () => {
    expect(workerConfig.store).toBe("simulated");
    expect(workerConfig.tables.map((t) => t.table)).toEqual(["order_lines", "orders", "customers"]);
  });
});

describe("worker", () => {
  it("can be scaled: no container_name, hostname or host port", () => {
    expect(worker.container_name).toBeUndefined();
    expect(worker.hostname).toBeUndefined();
    expect(portsOf(worker)).toEqual([]);
  });

  it("is restarted when it fails", () => {
    expect(["unless-stopped", "on-failure", "always"]).toContain(worker.restart?.split(":")[0]);
  });

  it("leaves RESONATE_PID to its per-container default (hostname-pid)", () => {
    expect(workerEnv.RESONATE_PID).toBeUndefined();
  });

  it("gets a complete, valid configuration from its compose environment", () => {
    expect(workerConfig.brokers).toBe(internalAddress);
    const url = new URL(workerConfig.resonateUrl ?? "http://(unset)");
    expect(url.hostname).toBe("resonate");
    expect(Number(url.port || 80)).toBe(resonatePort);
  });

  it("is health-checked on /readyz of the port it serves", () => {
    const probe = /https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/\S*?)['")]/.exec(healthcheckText(worker));
    expect(probe, `cannot read the worker healthcheck: ${healthcheckText(worker)}`).not.toBeNull();
    expect(Number(probe?.[1])).toBe(workerConfig.httpPort);
    expect(probe?.[2]).toBe("/readyz");
    expect(healthcheckText(worker)).toMatch(/^CMD node /);
  });

  it("reads the topics topic-setup creates and the producer writes to", () => {
    const setupEnv = envOf(topicSetup);
    expect(workerConfig.inputTopic).toBe(setupEnv.INPUT_TOPIC ?? TOPICS.deletionRequests);
    expect(workerConfig.outputTopic).toBe(setupEnv.OUTPUT_TOPIC ?? TOPICS.deletionCompletions);
    expect(workerConfig.deadLetterTopic).toBe(setupEnv.DEAD_LETTER_TOPIC ?? TOPICS.deadLetters);
    expect(envOf(producer).INPUT_TOPIC ?? TOPICS.deletionRequests).toBe(workerConfig.inputTopic);
  });
});

describe("bulk deletion", () => {
  const bulk = service(compose, "bulk");
  const parsed = <T>(result: { kind: string; config?: T; message?: string }, what: string): T => {
    if (result.kind !== "ok" || result.config === undefined)
      throw new Error(`${what} rejects its compose environment: ${JSON.stringify(result)}`);
    return result.config;
  };
  const setup = parsed(parseOptions(topicSetupCli, [], envOf(topicSetup)), "topic-setup");
  const tool = parsed(parseOptions(bulkCli, [], envOf(bulk)), "the bulk tool");

  it("topic-setup creates the bulk topics the workers read and write, the bulk tool and the console use", () => {
    expect(setup.bulkTopic).toBe(BULK_TOPICS.requests);
    expect(setup.bulkCompletionTopic).toBe(BULK_TOPICS.completions);
    expect(workerConfig.bulkTopic).toBe(setup.bulkTopic);
    expect(workerConfig.bulkCompletionTopic).toBe(setup.bulkCompletionTopic);
    expect(tool.bulkTopic).toBe(setup.bulkTopic);
    const consoleEnv = envOf(service(compose, "console"));
    expect(consoleEnv.BULK_TOPIC).toBe(setup.bulkTopic);
    expect(consoleEnv.BULK_COMPLETION_TOPIC).toBe(setup.bulkCompletionTopic);
  });

  it("the workers read bulk requests in a group of their own and offer the tenant selector on the parent table", () => {
    expect(workerConfig.bulkGroupId).not.toBe(workerConfig.groupId);
    expect(workerConfig.selectors).toEqual([{ name: "tenant", table: "customers", column: "tenant_id" }]);
    const parent = workerConfig.tables.at(-1);
    expect(parent?.table).toBe("customers");
    // The seed's demo tables have the column the selector compares.
    expect(readText("packages/store-postgres/src/seed.ts")).toMatch(
      /ADD COLUMN IF NOT EXISTS tenant_id text/,
    );
  });

  it("the bulk tool is a tool under a profile whose arguments reach its CLI; it reaches the broker and the server inside the network", () => {
    expect(bulk.profiles).toContain("tools");
    expect(bulk.entrypoint).toBeUndefined();
    expect(bulk.command).toBeUndefined();
    expect(tool.brokers).toBe(internalAddress);
    expect(new URL(tool.resonateUrl).hostname).toBe("resonate");
    expect(dependsOn(bulk)["topic-setup"]).toBe("service_completed_successfully");
    expect(dependsOn(bulk).resonate).toBe("service_healthy");
    const submit = parseOptions(
      bulkCli,
      ["--selector", "tenant", "--param", "tenant=tenant-3", "--wait"],
      envOf(bulk),
    );
    expect(submit.kind).toBe("ok");
  });

  it("the status tool shows a bulk from its compose environment", () => {
    const shown = parseOptions(statusCli, ["--bulk", "delete-tenant-3"], envOf(service(compose, "status")));
    expect(shown.kind === "ok" && shown.config.bulk).toBe("delete-tenant-3");
  });
});

describe("topic-setup and producer", () => {
  it("reach the broker on its internal listener", () => {
    expect(envOf(topicSetup).KAFKA_BROKERS).toBe(internalAddress);
    expect(envOf(producer).KAFKA_BROKERS).toBe(internalAddress);
  });

  it("the producer is a tool under a profile whose arguments reach its CLI", () => {
    expect(producer.profiles).toContain("tools");
    expect(producer.entrypoint).toBeUndefined();
    expect(producer.command).toBeUndefined();
  });
});

describe("defaults of the apps match the compose ports", () => {
  it("the worker's default --brokers is the broker's external listener on the host", () => {
    const defaults = parseOptions(workerCli, [], {});
    expect(defaults.kind).toBe("ok");
    if (defaults.kind !== "ok") return;
    expect(defaults.config.brokers).toBe(`localhost:${external?.port}`);
    expect(hostPortFor(redpanda, bound.find((l) => l.name === external?.name)?.port ?? -1)).toBe(
      external?.port,
    );
  });

  it("the worker's default HTTP port is the one compose probes", () => {
    const defaults = parseOptions(workerCli, [], {});
    expect(defaults.kind === "ok" && defaults.config.httpPort).toBe(workerConfig.httpPort);
  });

  it("dev scripts default to the ports compose publishes on the host", () => {
    const kafkaHost = `localhost:${hostPortFor(redpanda, bound.find((l) => l.name === external?.name)?.port ?? -1)}`;
    const resonateHost = `http://localhost:${hostPortFor(resonate, resonatePort)}`;
    let checked = 0;
    for (const pkg of workspacePackages()) {
      const dev = pkg.manifest.scripts?.dev ?? "";
      for (const [, name, fallback] of dev.matchAll(/\b([A-Z_]+)=\$\{\1:?-([^}]*)\}/g)) {
        if (name === "KAFKA_BROKERS") expect(fallback, `${pkg.name} dev: ${name}`).toBe(kafkaHost);
        if (name === "RESONATE_URL") expect(fallback, `${pkg.name} dev: ${name}`).toBe(resonateHost);
        if (name === "KAFKA_BROKERS" || name === "RESONATE_URL") checked++;
      }
    }
    expect(checked, "no dev script sets KAFKA_BROKERS/RESONATE_URL defaults").toBeGreaterThan(0);
  });
});
