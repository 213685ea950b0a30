// Brings "vitest" into the program; without it tsc rejects the augmentation below (TS2664).
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import { startBroker } from "./start-broker.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Bootstrap servers of the broker shared by the whole test run. */
    kafkaBrokers: string;
  }
}

/**
 * Vitest globalSetup: one broker for the whole run. Tests read it with
 * `inject("kafkaBrokers")`; processes they spawn inherit KAFKA_BROKERS.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hadEnv = Object.hasOwn(process.env, "KAFKA_BROKERS");
  const broker = await startBroker();
  project.provide("kafkaBrokers", broker.bootstrapServers);
  process.env.KAFKA_BROKERS = broker.bootstrapServers;
  return async () => {
    if (!hadEnv) delete process.env.KAFKA_BROKERS;
    await broker.stop();
  };
}
