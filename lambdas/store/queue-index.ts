/**
 * The outbox's sparse queue index, as both the deployed table (`lib/constructs/outcry-table.ts`)
 * and the local one (`table-schema.ts`) are made with it; how the outbox uses it is
 * `outbox-store.ts`.
 */

/**
 * Only items carrying `queue` are in the index (pending messages, and sent openings a
 * later one may join), ordered by `queueAt`.
 */
export const QUEUE_INDEX = {
  name: "queue",
  partitionKey: "queue",
  sortKey: "queueAt",
  /** What a delivery round reads from the index; everything else is read from the table. */
  projected: ["message", "attempts", "sentTo", "group"],
} as const;
