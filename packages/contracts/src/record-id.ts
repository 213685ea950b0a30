import { z } from "zod";

export const RECORD_ID_MAX_LENGTH = 128;
/**
 * The record id is also the durable promise id and the Kafka key, so it is kept to characters
 * that are safe in URLs, logs and file names: letters, digits and . _ - (not starting with a
 * symbol). ':' is excluded because Resonate reserves it to separate a root id from its steps.
 */
export const RECORD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const RecordIdSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty", abort: true })
  .max(RECORD_ID_MAX_LENGTH, {
    abort: true,
    error: (issue) =>
      `must be at most ${RECORD_ID_MAX_LENGTH} characters (got ${String((issue.input as string).length)})`,
  })
  .regex(RECORD_ID_PATTERN, {
    error: "may contain only letters, digits and . _ - and must start with a letter or digit",
  });

export type RecordId = z.infer<typeof RecordIdSchema>;
