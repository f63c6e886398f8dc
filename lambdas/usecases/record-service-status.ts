/**
 * Use case: keep each service's listed status (`GET /services`) in step with its detector
 * state, writing only what changed. Called by detect with the states it loaded and the
 * ones it is about to save, before saving them. Steps:
 * 1. Derive the status of the state loaded and of the state computed
 *    (`lambdas/domain/service-status.ts`): no read, since detect has both at hand.
 * 2. Write the services whose status changed. A status write costs about as much as a
 *    state save; done every minute it would cost about USD 0.03 per service a month, and
 *    statuses change a few times a day.
 * 3. The first time this container sees a service, also write it when it is not normal
 *    (a service with no record lists as normal, so only those need it): a deployment
 *    that predates the records, or whose status writes were lost, is put right within a
 *    tick of a container starting, at the cost of a handful of writes.
 *
 * Why this is enough: detect writes the statuses before it saves the states, so a tick
 * that fails in between saves nothing, and the next one derives the same change from the
 * same loaded state and writes it again. What is recorded therefore always matches the
 * saved state, and comparing the two states tells exactly when to write.
 */
import type { DetectorState } from "../domain/detector";
import type { ServiceStatusStore } from "../domain/ports";
import { sameStatus, statusOf } from "../domain/service-status";

/** What recording needs. */
export interface RecordStatusDependencies {
  statuses: ServiceStatusStore;
}

/** One service's state as detect loaded it and as it is about to save it. */
export interface StatusChange {
  service: string;
  /** The state loaded at the start of the tick; null when the service had none. */
  before: DetectorState | null;
  after: DetectorState;
}

/** Writes in flight at once. */
const CONCURRENT_WRITES = 16;

/**
 * Services each store instance (one per container) has seen: a new container checks
 * them once (step 3).
 */
const seenBy = new WeakMap<ServiceStatusStore, Set<string>>();

/**
 * Records the statuses that changed; answers the services it wrote.
 * @example await recordServiceStatus(deps, [{ service: "t-mobile", before, after }]);
 */
export async function recordServiceStatus(
  deps: RecordStatusDependencies,
  changes: readonly StatusChange[],
): Promise<string[]> {
  const seen = seenBy.get(deps.statuses) ?? new Set<string>();
  seenBy.set(deps.statuses, seen);
  // 1-3. What to write.
  const writes = changes.flatMap(({ service, before, after }) => {
    const previous = statusOf(before);
    const next = statusOf(after);
    const firstSight = !seen.has(service);
    const changed = !sameStatus(previous, next);
    if (!changed && !(firstSight && next.status !== "normal")) return [];
    return [{ service, previous, next, asOf: after.lastBucket ?? 0 }];
  });
  for (let i = 0; i < writes.length; i += CONCURRENT_WRITES) {
    await Promise.all(
      writes
        .slice(i, i + CONCURRENT_WRITES)
        .map((w) => deps.statuses.record(w.service, w.previous, w.next, w.asOf)),
    );
  }
  // Only once written: a failed tick checks its services again next time.
  for (const { service } of changes) seen.add(service);
  return writes.map((w) => w.service);
}
