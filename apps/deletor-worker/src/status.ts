import {
  type HttpStatusSourceOptions,
  httpStatusSource,
  lookupStatusSource,
  type RecordInspector,
  statusAnswer,
} from "@deletion/deletion-status";
import type { ResonateClient } from "@deletion/resonate-client";
import { type PromiseIds, promiseLookup } from "@deletion/workflows";

/**
 * GET /status/<recordId> of this worker: from the Resonate server it uses (read over its API,
 * so the worker's own client is not involved), or from the in-process network it holds.
 */
export function statusEndpoint(
  resonateUrl: string | undefined,
  client: ResonateClient,
  ids: PromiseIds,
  inspector: RecordInspector | undefined,
  access: Pick<HttpStatusSourceOptions, "token" | "payloads">,
) {
  const source = resonateUrl
    ? httpStatusSource(resonateUrl, access)
    : lookupStatusSource(promiseLookup(client.resonate), "this worker's in-process network");
  return (recordId: string) => statusAnswer(recordId, { ids, source, inspector });
}
