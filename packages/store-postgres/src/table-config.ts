import { z } from "zod";

/**
 * A PostgreSQL identifier as this store accepts it in configuration: unquoted-style names only
 * (letters, digits, _ and $, not starting with a digit), at most 63 bytes (NAMEDATALEN - 1).
 * Anything else is refused before it gets near SQL; names are still quoted when used.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

export const IdentifierSchema = z
  .string()
  .regex(IDENTIFIER, { error: "must be letters, digits, _ or $ (not starting with a digit), at most 63" });

/** One table the record's rows live in, and the column holding the record id. */
export const TableTargetSchema = z.object({
  /** Schema the table is in; the connection's current schema when absent. */
  schema: IdentifierSchema.optional(),
  table: IdentifierSchema,
  column: IdentifierSchema,
});

export type TableTarget = z.infer<typeof TableTargetSchema>;

/** "orders:customer_id" or "sales.orders:customer_id", as configuration and messages name it. */
export function describeTarget(target: TableTarget): string {
  return `${target.schema ? `${target.schema}.` : ""}${target.table}:${target.column}`;
}

/**
 * Parses a table list, "order_lines:customer_id,orders:customer_id,customers:id": children
 * first, the parent (the table the soft-delete flag lives on) last. A problem names the entry.
 */
export const TableListSchema = z.string().transform((text, ctx): TableTarget[] => {
  const entries = text
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  if (entries.length === 0) {
    ctx.addIssue({ code: "custom", message: "name at least one table as table:column" });
    return z.NEVER;
  }
  const targets: TableTarget[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const match = /^(?:([^.:]+)\.)?([^.:]+):([^.:]+)$/.exec(entry);
    const parsed = match
      ? TableTargetSchema.safeParse({ schema: match[1], table: match[2], column: match[3] })
      : undefined;
    if (!parsed?.success) {
      const why = parsed?.error.issues[0];
      ctx.addIssue({
        code: "custom",
        message: `"${entry}" is not table:column (or schema.table:column)${why ? `: ${why.path.join(".")} ${why.message}` : ""}`,
      });
      return z.NEVER;
    }
    const key = `${parsed.data.schema ?? ""}.${parsed.data.table}`;
    if (seen.has(key)) {
      ctx.addIssue({ code: "custom", message: `table "${parsed.data.table}" is listed twice` });
      return z.NEVER;
    }
    seen.add(key);
    targets.push(parsed.data);
  }
  return targets;
});

/** The demo tables the seed command creates, in deletion order. */
export const DEMO_TABLES = "order_lines:customer_id,orders:customer_id,customers:id";
