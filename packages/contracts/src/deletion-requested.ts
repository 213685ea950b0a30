import { z } from "zod";
import { RecordIdSchema } from "./record-id.js";

export const DELETION_REQUESTED_VERSION = 1;

/**
 * A request to delete one record's data. Unknown fields are stripped, not rejected, so a newer
 * producer may add optional fields without stopping older workers (forward compatibility);
 * a breaking change raises schemaVersion instead.
 */
export const DeletionRequestedSchema = z.object({
  schemaVersion: z.literal(DELETION_REQUESTED_VERSION, {
    error: `must be ${DELETION_REQUESTED_VERSION}`,
  }),
  recordId: RecordIdSchema,
  requestedAt: z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time" }),
  metadata: z
    .record(z.string().max(64), z.string().max(1024))
    .refine((m) => Object.keys(m).length <= 32, { error: "must have at most 32 entries" })
    .optional(),
});

export type DeletionRequested = z.infer<typeof DeletionRequestedSchema>;
