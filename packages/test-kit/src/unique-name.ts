import { randomBytes } from "node:crypto";

/**
 * A topic or consumer-group name no other test uses: `prefix` plus a random suffix. Kafka
 * topic names allow only [a-zA-Z0-9._-] (max 249), so other characters become `-`.
 */
export function uniqueName(prefix = "test"): string {
  const safe = prefix.replace(/[^a-zA-Z0-9._-]/g, "-").slice(0, 200);
  return `${safe}-${Date.now().toString(36)}-${randomBytes(6).toString("hex")}`;
}
