import { EXIT_USAGE, resonateSecurityOf, runCli } from "@deletion/cli-kit";
import {
  describeBulkStatus,
  describeStatus,
  httpStatusSource,
  listFailed,
  type RecordInspector,
  readBulkStatus,
  readRecordStatus,
} from "@deletion/deletion-status";
import { createPayloadCipher } from "@deletion/resonate-client";
import { connectPostgresStore, describeDatabase } from "@deletion/store-postgres";
import { BulkIds, PromiseIds } from "@deletion/workflows";
import { type StatusConfig, statusCli, takeRecordId } from "./config.js";

const { recordId, rest, extra } = takeRecordId(process.argv.slice(2));

async function main(config: StatusConfig): Promise<number> {
  const usage = (message: string) => {
    process.stderr.write(`status: ${message}\nRun 'status --help' for usage.\n`);
    return EXIT_USAGE;
  };
  if (extra.length > 0) return usage(`one record id at a time (also given: ${extra.join(" ")})`);
  if (config.bulk !== undefined && (recordId || config.list))
    return usage("give a record id, --list or --bulk, one of them");
  if (config.list && recordId) return usage("give a record id or --list, not both");
  if (config.list && !config.state) return usage("--list needs --state (failed)");
  if (!config.list && !recordId && config.bulk === undefined)
    return usage("name a record id, or --list --state failed, or --bulk <bulkId>");

  let inspector: RecordInspector | undefined;
  let close = async () => {};
  if (config.databaseUrl && !config.list && config.bulk === undefined) {
    const opened = await connectPostgresStore({
      databaseUrl: config.databaseUrl,
      tables: config.tables,
      deletedAtColumn: config.deletedAtColumn,
      readOnly: true,
      maxConnections: 1,
      applicationName: "status",
    });
    if (!opened.ok) {
      const { code, message } = opened.problem;
      process.stderr.write(`status: ${message} (database ${describeDatabase(config.databaseUrl)})\n`);
      return code === "missing_table" || code === "missing_column" ? EXIT_USAGE : 1;
    }
    inspector = opened.store;
    close = opened.close;
  }
  try {
    // The status command only reads: the keys open encrypted payloads, nothing is written.
    const { token, payloads, promiseIdKey } = resonateSecurityOf(config);
    const options = {
      ids: new PromiseIds(config.promisePrefix, { idKey: promiseIdKey }),
      source: httpStatusSource(config.resonateUrl, {
        timeoutMs: config.timeoutMs,
        token,
        payloads: createPayloadCipher({ ...payloads, mode: "none" }),
      }),
      inspector,
    };
    if (config.bulk !== undefined) {
      const status = await readBulkStatus(config.bulk, {
        source: options.source,
        ids: new BulkIds(config.promisePrefix),
      });
      if (config.json) process.stdout.write(`${JSON.stringify(status)}\n`);
      else process.stdout.write(`${describeBulkStatus(status).join("\n")}\n`);
      return status.state === "unreachable" ? 1 : 0;
    }
    if (config.list) {
      const listed = await listFailed({ ...options, limit: config.limit });
      if (!listed.ok) {
        process.stderr.write(`status: ${listed.reason}\n`);
        return 1;
      }
      if (config.json) process.stdout.write(`${JSON.stringify(listed.failed)}\n`);
      else {
        for (const status of listed.failed) process.stdout.write(`${describeStatus(status).join("\n")}\n`);
        process.stdout.write(
          `${listed.failed.length} failed${listed.complete ? "" : " (stopped early: --limit reached or too many promises to scan; not every record was looked at)"}\n`,
        );
      }
      return 0;
    }
    const status = await readRecordStatus(recordId as string, options);
    if (config.json) process.stdout.write(`${JSON.stringify(status)}\n`);
    else process.stdout.write(`${describeStatus(status).join("\n")}\n`);
    return status.state === "unreachable" ? 1 : 0;
  } finally {
    await close();
  }
}

await runCli(statusCli, main, rest);
