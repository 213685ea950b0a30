/** The bulk deletion topics: requests in (keyed by bulkId), one completion out per bulk. */
export const BULK_TOPICS = {
  requests: "bulk_deletions_requested",
  completions: "bulk_deletions_completed",
} as const;

/** Consumer group of the workers' bulk consumer: apart from the record requests' group. */
export const DEFAULT_BULK_CONSUMER_GROUP_ID = "deletor-workers-bulk";

/** Headers of messages a bulk publishes. */
export const BULK_HEADERS = {
  /** On each DeletionRequested a bulk publishes: the bulk it belongs to. */
  bulkId: "bulk-id",
} as const;

/** Log event names of the bulk workflow and its consumer (see log-events.ts for the rest). */
export const BULK_LOG_EVENTS = {
  /** A bulk request started its workflow, or attached to the one already running. */
  bulkStarted: "bulk_started",
  /** One soft-delete batch of a bulk's selection was flagged deleted. */
  bulkSoftDeleted: "bulk_soft_deleted",
  /** One page of a bulk's records was published as deletion requests. */
  bulkPagePublished: "bulk_page_published",
  /** The bulk was cancelled: no further pages are published. */
  bulkCancelled: "bulk_cancelled",
  /** A bulk ended; its completion is published. */
  bulkCompleted: "bulk_completed",
  /** A bulk request names a selector this deployment does not configure: dead-lettered. */
  bulkUnknownSelector: "bulk_unknown_selector",
  /** The worker checked its configured selectors against the catalogue at start-up. */
  selectorsChecked: "selectors_checked",
  /**
   * At start-up: the worker requires signed requests but has no signing key, so the record
   * requests its bulks publish go unsigned and are dead-lettered as UNAUTHENTICATED.
   */
  bulkRequestsUnsigned: "bulk_requests_unsigned",
} as const;
