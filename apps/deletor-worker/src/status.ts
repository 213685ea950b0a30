import {
  bulkStatusAnswer,
  type HttpStatusSourceOptions,
  httpStatusSource,
  lookupStatusSource,
  type RecordInspector,
  statusAnswer,
} from "@deletion/deletion-status";
import type { ResonateClient } from "@deletion/resonate-client";
import { BulkIds, type PromiseIds, promiseLookup } from "@deletion/workflows";

/**
 * GET /status/<recordId> and /status/bulk/<bulkId> of this worker: from the Resonate server it
 * uses (read over its API, so the worker's own client is not involved), or from the in-process
 * network it holds (there a running bulk shows no progress: that network cannot search).
 */
export function statusEndpoints(
  resonateUrl: string | undefined,
  client: ResonateClient,
  ids: PromiseIds,
  inspector: RecordInspector | undefined,
  access: Pick<HttpStatusSourceOptions, "token" | "payloads">,
) {
  const source = resonateUrl
    ? httpStatusSource(resonateUrl, access)
    : lookupStatusSource(promiseLookup(client.resonate), "this worker's in-process network");
  const bulkIds = new BulkIds(ids.prefix);
  return {
    status: (recordId: string) => statusAnswer(recordId, { ids, source, inspector }),
    bulkStatus: (bulkId: string) => bulkStatusAnswer(bulkId, { ids: bulkIds, source }),
  };
}
