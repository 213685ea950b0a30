import { z } from "zod";
import { RecordIdSchema } from "./record-id.js";

export const BULK_DELETION_REQUESTED_VERSION = 1;
export const BULK_DELETION_COMPLETED_VERSION = 1;

/** Ids one request may list; a longer list is split into several bulks by the CLI. */
export const BULK_MAX_IDS = 1_000;
/** Failed record ids a completion lists; beyond that only the count (failedIdsTruncated). */
export const BULK_MAX_FAILED_IDS = 1_000;

/**
 * The bulk's idempotency key, chosen by the requester: the same bulkId twice is one bulk
 * deletion. It is also the Kafka key and part of a promise id, so it follows the record-id rules.
 */
export const BulkIdSchema = RecordIdSchema;

/**
 * A selector's name as a deployment configures it (`--selector tenant=customers.tenant_id`). A
 * message names a selector only: the column behind it never travels in a message.
 */
export const SelectorNameSchema = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, {
  error: "must be lowercase letters, digits and _, starting with a letter",
});

/** The values a selector compares with; always sent to the database as parameters. */
export const SelectorParamsSchema = z
  .record(SelectorNameSchema, z.string().min(1).max(256))
  .refine((p) => Object.keys(p).length <= 8, { error: "must have at most 8 entries" });

/**
 * One request to delete every record a selector matches, or every record of a bounded list.
 * Exactly one of `selector` (with `params`) and `ids` is given.
 */
export const BulkDeletionRequestedSchema = z
  .object({
    schemaVersion: z.literal(BULK_DELETION_REQUESTED_VERSION, {
      error: `must be ${BULK_DELETION_REQUESTED_VERSION}`,
    }),
    bulkId: BulkIdSchema,
    requestedAt: z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time" }),
    selector: SelectorNameSchema.optional(),
    params: SelectorParamsSchema.optional(),
    ids: z
      .array(RecordIdSchema)
      .min(1, { error: "must list at least one record id" })
      .max(BULK_MAX_IDS, { error: `must list at most ${BULK_MAX_IDS} record ids` })
      .optional(),
  })
  .superRefine((message, ctx) => {
    const bySelector = message.selector !== undefined;
    const byIds = message.ids !== undefined;
    if (bySelector === byIds) {
      ctx.addIssue({
        code: "custom",
        path: ["selector"],
        message: "give either selector (with params) or ids",
      });
    }
    if (!bySelector && message.params !== undefined) {
      ctx.addIssue({ code: "custom", path: ["params"], message: "params go with a selector" });
    }
  });

export type BulkDeletionRequested = z.infer<typeof BulkDeletionRequestedSchema>;

const Count = z.number().int().nonnegative();

/** Published once when a bulk deletion has ended (every record it requested finished, or it was cancelled). */
export const BulkDeletionCompletedSchema = z.object({
  schemaVersion: z.literal(BULK_DELETION_COMPLETED_VERSION),
  bulkId: BulkIdSchema,
  /** "failed": a step failed for good (why in `error`); the totals say how far it got. */
  status: z.enum(["completed", "cancelled", "failed"]),
  error: z.string().optional(),
  selector: SelectorNameSchema.optional(),
  params: SelectorParamsSchema.optional(),
  /** Records the selection held when the bulk started paging it. */
  matched: Count,
  /** Parent rows this bulk flagged deleted (rows already flagged are not counted again). */
  softDeleted: Count,
  /** Records a deletion request was published for. */
  requested: Count,
  /** Requested records whose deletion completed. */
  deleted: Count,
  /** Requested records whose deletion failed for good. */
  failed: Count,
  failedIds: z.array(RecordIdSchema).max(BULK_MAX_FAILED_IDS),
  failedIdsTruncated: z.boolean(),
  /** Rows deleted over every completed record. */
  rowsDeleted: Count,
  /** Matching records never requested (a cancelled bulk's rest). */
  notRequested: Count,
  /** Of those, how many had their soft delete cleared again (cancel --restore). */
  restored: Count,
  startedAt: z.iso.datetime({ offset: true }),
  completedAt: z.iso.datetime({ offset: true }),
  /** The bulk workflow's promise id: the same in every copy an at-least-once publish produces. */
  idempotencyKey: z.string().min(1),
});

export type BulkDeletionCompleted = z.infer<typeof BulkDeletionCompletedSchema>;
