/**
 * Messages held back, not lost (rules in `domain/held.ts`), over one delivery round:
 * what quiet hours or a maintenance window keep from someone is held, and at the start
 * of each round what waited out its window goes as one digest per recipient (quiet
 * hours) or per service (maintenance). Steps of a release:
 * 1. Read a page of what is held ({@link HELD_ROUND_LIMIT}) and keep those whose window
 *    has ended.
 * 2. For each target, tell the incidents still open from those resolved (their
 *    resolution is in the outbox).
 * 3. Record the digest in the outbox (once: a key made of what it holds); it then goes
 *    like any message, claimed, retried and under the SMS cap. Recipients quiet now are
 *    held again, for their own digest.
 * 4. Note each incident's outcome among its records (told in a digest, or dropped
 *    because it was over), so the resolution later reaches whoever the digest told, then
 *    forget what was held. A crash anywhere repeats the steps with the same keys.
 */
import type { Recipient } from "../domain/audience";
import {
  digestAudience,
  digestKey,
  HELD_ROUND_LIMIT,
  heldFrom,
  heldNoteKey,
  releasable,
} from "../domain/held";
import { inParallel, STORE_CONCURRENCY } from "../domain/in-parallel";
import type {
  HeldMessage,
  HeldStore,
  IncidentStore,
  OutboxMessage,
  OutboxStore,
} from "../domain/ports";
import { type DigestLine, digestSummary } from "../domain/wording/digest-summary";
import { formatLocalTime } from "../domain/wording/times";

/** Where held messages wait, and what a digest reads to say where each incident stands. */
export interface Holding {
  store: HeldStore;
  /** The incidents, for their opening and newest level; without it a digest repeats subjects. */
  incidents?: Pick<IncidentStore, "get">;
  /** The zone a service's times are told in. */
  timeZoneOf?: (service: string) => string;
}

/** What releasing held messages did. */
export interface ReleaseResult {
  /** Keys of the digests recorded in the outbox. */
  digests: string[];
  /** Note keys of incidents dropped because they were over before the window ended. */
  dropped: string[];
}

/**
 * Holds `message` for each of `recipients` (in quiet hours now). Refreshes what is held
 * already, so a recipient quiet through an opening, an update and a reminder has one
 * item for the incident.
 */
export async function holdForQuiet(
  holding: Holding,
  message: OutboxMessage,
  recipients: readonly string[],
  nowMs: number,
): Promise<void> {
  await inParallel(recipients, STORE_CONCURRENCY, (id) =>
    holding.store.hold(heldFrom(message, "quiet", id, nowMs)),
  );
}

/** Holds an opening of a service in maintenance for the audience it would have had. */
export async function holdForMaintenance(
  holding: Holding,
  message: OutboxMessage,
  nowMs: number,
): Promise<void> {
  await holding.store.hold(heldFrom(message, "maintenance", message.service, nowMs));
}

/** What a digest says of one held incident: its opening and newest level, when known. */
async function lineOf(holding: Holding, item: HeldMessage): Promise<DigestLine> {
  const timeZone = holding.timeZoneOf?.(item.service) ?? "UTC";
  const stored = await holding.incidents?.get(item.incidentId).catch(() => null);
  const base = { serviceName: item.serviceName, timeZone, subject: item.subject };
  if (!stored) return base;
  const { incident } = stored;
  const falloff = incident.falloffs.at(-1);
  const levels = [
    { ...incident.peak, peak: true },
    ...(falloff ? [{ ...falloff, peak: false }] : []),
    ...(item.level ? [{ ...item.level, peak: false }] : []),
  ];
  const level = levels.reduce((newest, l) => (l.at > newest.at ? l : newest));
  return { ...base, openedAt: incident.openedAt, level };
}

/**
 * Releases what waited out its window (steps 1-4 above).
 * @example await releaseHeld(holding, outbox, recipients, (s) => inMaintenanceNow(s), Date.now());
 */
export async function releaseHeld(
  holding: Holding,
  outbox: OutboxStore,
  recipients: readonly Recipient[],
  inMaintenance: (service: string) => boolean,
  nowMs: number,
): Promise<ReleaseResult> {
  const result: ReleaseResult = { digests: [], dropped: [] };
  // 1. What waited out its window.
  const held = await holding.store.list(HELD_ROUND_LIMIT);
  const ready = releasable(held, { recipients, inMaintenance, nowMs });
  // 2. Which incidents are over, each looked up once.
  const incidents = [...new Set([...ready.values()].flat().map((item) => item.incidentId))];
  const over = new Set(
    (
      await inParallel(incidents, STORE_CONCURRENCY, async (id) =>
        (await outbox.record(`${id}#resolved`)) ? id : null,
      )
    ).filter((id): id is string => id !== null),
  );
  for (const items of ready.values()) {
    const open = items.filter((item) => !over.has(item.incidentId));
    const { audience, quiet } = digestAudience(open, recipients, nowMs);
    // 3. The digest, once, and those quiet now held again.
    const [first] = open;
    if (first && audience.length > 0) {
      const lines = await Promise.all(open.map((item) => lineOf(holding, item)));
      const key = digestKey(open);
      await outbox.add({
        key,
        incidentId: first.incidentId,
        transition: "update",
        service: first.service,
        serviceName: first.serviceName,
        category: first.category,
        summary: digestSummary(lines),
        createdAt: nowMs,
        to: audience,
      });
      result.digests.push(key);
    }
    for (const item of open) {
      await inParallel(quiet, STORE_CONCURRENCY, (id) =>
        holding.store.hold({ ...item, kind: "quiet", target: id, heldAt: nowMs }),
      );
    }
    // 4. Each incident's outcome among its records, then forget what was held.
    await inParallel(items, STORE_CONCURRENCY, async (item) => {
      const dropped = over.has(item.incidentId);
      const told = dropped ? [] : audience;
      await outbox.note(noteMessage(item, told, dropped, holding, nowMs), {
        state: dropped || told.length === 0 ? "suppressed" : "sent",
        audience: told,
        nowMs,
      });
      if (dropped) result.dropped.push(heldNoteKey(item));
      await holding.store.release(item);
    });
  }
  return result;
}

/** The record of what became of one incident's held messages, worded for a person. */
function noteMessage(
  item: HeldMessage,
  told: readonly string[],
  dropped: boolean,
  holding: Holding,
  nowMs: number,
): OutboxMessage {
  const why =
    item.kind === "quiet" ? `quiet hours of ${item.target}` : `maintenance of ${item.serviceName}`;
  const at = formatLocalTime(nowMs, holding.timeZoneOf?.(item.service) ?? "UTC");
  const outcome = dropped
    ? `not sent: resolved before the window ended at ${at}`
    : told.length > 0
      ? `sent in a digest at ${at}`
      : `not sent: nobody to tell at ${at}`;
  const subject = `Held for ${why}; ${outcome}`;
  return {
    key: heldNoteKey(item),
    incidentId: item.incidentId,
    transition: "update",
    service: item.service,
    serviceName: item.serviceName,
    category: item.category,
    summary: { subject, text: `${subject}. Held: ${item.subject}`, sms: "" },
    createdAt: nowMs,
  };
}
