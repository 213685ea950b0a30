import { BulkIdSchema } from "@deletion/contracts";
import type { BulkIds } from "@deletion/workflows";
import { type BulkStatus, readBulkStatus } from "./bulk-status.js";
import type { StatusSource } from "./status-source.js";

/**
 * The answer of GET /status/bulk/<bulkId>: 400 for an id no bulk request could carry, 404 for a
 * bulk the server holds no promise of, 503 when the server is unreachable, else 200 with the
 * bulk's status (the same JSON as `status --bulk <bulkId> --json`).
 */
export async function bulkStatusAnswer(
  bulkId: string,
  options: { source: StatusSource; ids: BulkIds; now?: Date },
): Promise<{ httpStatus: number; body: BulkStatus | { error: string } }> {
  const valid = BulkIdSchema.safeParse(bulkId);
  if (!valid.success) return { httpStatus: 400, body: { error: `"${bulkId}" is not a bulk id` } };
  const status = await readBulkStatus(bulkId, options);
  const httpStatus = status.state === "unknown" ? 404 : status.state === "unreachable" ? 503 : 200;
  return { httpStatus, body: status };
}
