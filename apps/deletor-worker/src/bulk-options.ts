import { option } from "@deletion/cli-kit";
import { BULK_TOPICS, DEFAULT_BULK_CONSUMER_GROUP_ID } from "@deletion/contracts";
import { SelectorListSchema } from "@deletion/store-postgres";
import { DEFAULT_BULK_SHAPE } from "@deletion/workflows";
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();

/** The worker's bulk deletion options (docs/bulk-deletion.md). */
export const bulkOptions = {
  selectors: option({
    flag: "selector",
    env: "BULK_SELECTORS",
    description:
      "bulk deletion: name=table.column,... selectors requests may use, each comparing a column of the parent table with its parameter (checked against the catalogue at start-up)",
    schema: z.string().default("").pipe(SelectorListSchema),
  }),
  bulkTopic: option({
    flag: "bulk-topic",
    env: "BULK_TOPIC",
    description: "bulk deletion: topic of bulk requests",
    schema: z.string().min(1).default(BULK_TOPICS.requests),
  }),
  bulkCompletionTopic: option({
    flag: "bulk-completion-topic",
    env: "BULK_COMPLETION_TOPIC",
    description: "bulk deletion: topic each bulk's totals are published to when it ends",
    schema: z.string().min(1).default(BULK_TOPICS.completions),
  }),
  bulkGroupId: option({
    flag: "bulk-group-id",
    env: "BULK_GROUP_ID",
    description: "bulk deletion: consumer group of the bulk topic, shared by all worker replicas",
    schema: z.string().min(1).default(DEFAULT_BULK_CONSUMER_GROUP_ID),
  }),
  bulkPageSize: option({
    flag: "bulk-page-size",
    env: "BULK_PAGE_SIZE",
    description: "bulk deletion: records published per fan-out page (one checkpoint each) for new bulks",
    schema: positiveInt.max(5_000).default(DEFAULT_BULK_SHAPE.pageSize),
  }),
};
