import { type CliSpec, type ConfigOf, loggingOptions, option } from "@deletion/cli-kit";
import { z } from "zod";

/** "min-max" or a single number, whole and non-negative. */
const range = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
      const min = Number(match?.[1]);
      const max = Number(match?.[2] ?? match?.[1]);
      if (!match || max < min) {
        ctx.addIssue({ code: "custom", message: `"${text}" is not N or MIN-MAX with MIN ≤ MAX` });
        return z.NEVER;
      }
      return { min, max };
    });

export const seedCli = {
  name: "seed",
  summary:
    "Creates the demo tables (customers, their orders and order lines, indexed on the customer id) in a PostgreSQL database and fills them with N customers, each with a random number of orders and lines. Customers that already exist are left as they are.",
  options: {
    databaseUrl: option({
      flag: "database-url",
      env: "DATABASE_URL",
      description: "PostgreSQL connection URL (postgres://user:password@host:port/database)",
      schema: z
        .string()
        .min(1, { error: "a database URL is required" })
        .default("postgres://postgres:postgres@localhost:5432/deletion"),
    }),
    records: option({
      flag: "records",
      short: "n",
      env: "SEED_RECORDS",
      description: "how many customers to create",
      schema: z.coerce.number().int().positive().default(100),
    }),
    tenants: option({
      flag: "tenants",
      env: "SEED_TENANTS",
      description:
        "spread the customers over this many tenants, tenant-1..tenant-N (customers.tenant_id; 0: none)",
      schema: z.coerce.number().int().nonnegative().default(0),
    }),
    idPrefix: option({
      flag: "id-prefix",
      description:
        "customer ids are this prefix and a number padded to 6 digits, the producer's format (customer-000001 is the producer's --id-prefix customer)",
      schema: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "letters, digits and . _ - only" })
        .default("customer-"),
    }),
    firstId: option({
      flag: "first-id",
      description: "number of the first customer",
      schema: z.coerce.number().int().nonnegative().default(1),
    }),
    orders: option({
      flag: "orders",
      description: "orders per customer, N or MIN-MAX",
      schema: range("1-5"),
    }),
    lines: option({
      flag: "lines",
      description: "lines per order, N or MIN-MAX",
      schema: range("1-10"),
    }),
    seed: option({
      flag: "seed",
      description: "makes the random counts repeatable",
      schema: z.coerce.number().int().optional(),
    }),
    reset: option({
      flag: "reset",
      kind: "boolean",
      description: "drop the demo tables first (their data is lost)",
      schema: z.boolean().default(false),
    }),
    ...loggingOptions,
  },
  epilog: [
    "The worker deletes these with:",
    "  --store postgres --tables order_lines:customer_id,orders:customer_id,customers:id",
    "",
    "Example: seed --database-url postgres://postgres:postgres@localhost:5432/deletion -n 1000 --orders 10 --lines 100",
  ].join("\n"),
} satisfies CliSpec<Record<string, ReturnType<typeof option>>>;

export type SeedConfig = ConfigOf<typeof seedCli.options>;
