import { createLogger, runCli } from "@deletion/cli-kit";
import { createPool, describePgError, type SeedProgress, seedDemoData } from "@deletion/store-postgres";
import { type SeedConfig, seedCli } from "./config.js";

/** Runs this large print a progress line per chunk; smaller ones finish before it would help. */
const PROGRESS_FROM = 5_000;

async function main(config: SeedConfig): Promise<number> {
  const log = createLogger({ name: "seed", level: config.logLevel, pretty: config.pretty });
  const pool = createPool({ connectionString: config.databaseUrl, applicationName: "seed", max: 1 });
  const started = Date.now();
  const line = (p: SeedProgress) =>
    `${p.customers} of ${p.total} customers, ${p.orders} orders, ${p.orderLines} order lines`;
  try {
    const done = await seedDemoData(pool, {
      records: config.records,
      idPrefix: config.idPrefix,
      padIds: true,
      tenants: config.tenants,
      firstId: config.firstId,
      orders: config.orders,
      lines: config.lines,
      seed: config.seed,
      reset: config.reset,
      onProgress: (p) => {
        if (config.records >= PROGRESS_FROM) process.stderr.write(`seed: ${line(p)}\n`);
      },
    });
    const seconds = (Date.now() - started) / 1000;
    log.info({ ...done, seconds }, `seeded ${line(done)} in ${seconds.toFixed(1)} s`);
    return 0;
  } catch (error) {
    const message = `could not seed the database: ${describePgError(error)}`;
    log.error({ err: error }, message);
    process.stderr.write(`seed: ${message}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

await runCli(seedCli, main);
