import { RecordIdSchema } from "@deletion/contracts";
import { type RecordStatus, readRecordStatus, type StatusOptions } from "./record-status.js";

/** The answer of GET /status/<recordId>: 400 for an id no request could carry, 404 unknown, 503 unreachable. */
export async function statusAnswer(
  recordId: string,
  options: StatusOptions,
): Promise<{ httpStatus: number; body: RecordStatus | { error: string } }> {
  const valid = RecordIdSchema.safeParse(recordId);
  if (!valid.success) return { httpStatus: 400, body: { error: `"${recordId}" is not a record id` } };
  const status = await readRecordStatus(recordId, options);
  const httpStatus = status.state === "unknown" ? 404 : status.state === "unreachable" ? 503 : 200;
  return { httpStatus, body: status };
}
