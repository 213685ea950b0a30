// Brings "vitest" into the program; without it tsc rejects the augmentation below (TS2664).

import type { SecuredKafka } from "@deletion/local-stack";
import { type ResonateServer, ResonateServerUnavailable } from "@deletion/local-stack";
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startResonateServer } from "./resonate-server.js";
import { securedUnavailableReason, startBroker } from "./start-broker.js";
import { startPostgres } from "./start-postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Bootstrap servers of the broker shared by the whole test run. */
    kafkaBrokers: string;
    /** Its SASL_SSL and mutual-TLS listeners, CA and users; null when it has none. */
    kafkaSecured: SecuredKafka | null;
    /** Why there are none, when kafkaSecured is null: the tests that need them print it when they skip. */
    kafkaSecuredUnavailable: string;
    /** URL of the Resonate server shared by the whole run; "" when none could be had. */
    resonateUrl: string;
    /** Its Prometheus endpoint; "" when unknown (an external server). */
    resonateMetricsUrl: string;
    /** Why there is no server, when resonateUrl is "": server tests print it when they skip. */
    resonateUnavailable: string;
    /** URL of the PostgreSQL server shared by the whole run (postgres://...). */
    databaseUrl: string;
  }
}

/**
 * Vitest globalSetup: one broker, one Resonate server and one PostgreSQL for the whole run. Tests
 * read them with `inject(...)`; processes they spawn inherit KAFKA_BROKERS. RESONATE_URL is not put in
 * the environment: which Resonate mode a spawned worker runs in is each test's choice.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hadEnv = Object.hasOwn(process.env, "KAFKA_BROKERS");
  const [broker, server, postgres] = await Promise.all([
    // The secured listeners cost a few certificates and users, not a second broker.
    startBroker({ local: { secured: true } }),
    startSharedResonateServer(),
    startPostgres(),
  ]);
  project.provide("kafkaBrokers", broker.bootstrapServers);
  project.provide("kafkaSecured", broker.secured ?? null);
  project.provide("kafkaSecuredUnavailable", securedUnavailableReason(broker));
  project.provide("resonateUrl", server.running?.url ?? "");
  project.provide("resonateMetricsUrl", server.running?.metricsUrl ?? "");
  project.provide("resonateUnavailable", server.unavailable);
  project.provide("databaseUrl", postgres.url);
  process.env.KAFKA_BROKERS = broker.bootstrapServers;
  return async () => {
    if (!hadEnv) delete process.env.KAFKA_BROKERS;
    await Promise.all([broker.stop(), server.running?.dispose(), postgres.stop()]);
  };
}

async function startSharedResonateServer(): Promise<{ running?: ResonateServer; unavailable: string }> {
  try {
    const running = await startResonateServer();
    console.error(`[test-kit] resonate: ${running.description}`);
    return { running, unavailable: "" };
  } catch (err) {
    if (!(err instanceof ResonateServerUnavailable)) throw err;
    console.error(`[test-kit] resonate: none; server tests will be skipped: ${err.message}`);
    return { unavailable: err.message };
  }
}
