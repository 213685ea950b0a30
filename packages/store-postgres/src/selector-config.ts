import { z } from "zod";
import { IdentifierSchema } from "./table-config.js";

/** A selector a deployment allows: its name (what messages say) and the parent column it compares. */
export interface SelectorTarget {
  name: string;
  /** Table the column is on; must be the parent table (the last of --tables). */
  table: string;
  column: string;
}

const SELECTOR_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Parses "tenant=customers.tenant_id,region=customers.region": each selector's name, then the
 * parent table and column it compares with its parameter of the same name. A problem names the entry.
 */
export const SelectorListSchema = z.string().transform((text, ctx): SelectorTarget[] => {
  const entries = text
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  const targets: SelectorTarget[] = [];
  for (const entry of entries) {
    const match = /^([^=]+)=([^.=]+)\.([^.=]+)$/.exec(entry);
    const name = match?.[1]?.trim() ?? "";
    const table = IdentifierSchema.safeParse(match?.[2]);
    const column = IdentifierSchema.safeParse(match?.[3]);
    if (!match || !SELECTOR_NAME.test(name) || !table.success || !column.success) {
      ctx.addIssue({
        code: "custom",
        message: `"${entry}" is not name=table.column (a lowercase name; table and column letters, digits and _)`,
      });
      return z.NEVER;
    }
    if (targets.some((t) => t.name === name)) {
      ctx.addIssue({ code: "custom", message: `selector "${name}" is configured twice` });
      return z.NEVER;
    }
    targets.push({ name, table: table.data, column: column.data });
  }
  return targets;
});
