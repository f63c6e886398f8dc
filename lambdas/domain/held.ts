/**
 * Messages held back, not lost. A recipient in quiet hours when a message of an incident
 * goes out is left out of its audience, and the message is held for them; an opening of
 * a service in maintenance is held for the audience it would have had. When the window
 * ends (the recipient's quiet hours, the service's maintenance), whatever is held for it
 * goes as ONE digest ("While you were away: …") of the incidents still open, and each
 * incident that was over first is recorded as dropped, so a person can see what was held
 * and why (the outbox record of the incident, `GET /incidents/{id}`).
 *
 * The digest is an outbox message like any other (claimed, retried, capped), recorded
 * once under a key made of what it stands for, so a round that crashed half-way makes
 * the same one again and the outbox's conditional put keeps it single.
 */
import { isQuiet, type Recipient, wants } from "./audience";
import type { HeldMessage, OutboxMessage } from "./ports";

/** Held messages one round looks at: a page of the partition, oldest first. */
export const HELD_ROUND_LIMIT = 500;

/**
 * What a message held for `kind`/`target` records: the newest held message's subject and,
 * for a reminder, the level it states.
 */
export function heldFrom(
  message: OutboxMessage,
  kind: HeldMessage["kind"],
  target: string,
  nowMs: number,
): HeldMessage {
  return {
    kind,
    target,
    incidentId: message.incidentId,
    service: message.service,
    serviceName: message.serviceName,
    category: message.category,
    heldAt: nowMs,
    subject: message.summary.subject,
    ...(message.reminder
      ? { level: { count: message.reminder.count, at: message.reminder.at } }
      : {}),
  };
}

/** Where the window a held message waits out stands now. */
export interface WindowsNow {
  recipients: readonly Recipient[];
  /** True while `service` is in maintenance now. */
  inMaintenance: (service: string) => boolean;
  nowMs: number;
}

/**
 * The held messages whose window has ended, by whom they were held for (`kind#target`),
 * in the order first held. A recipient no longer configured ends its own: what was held
 * for it is dropped with the others that are over.
 */
export function releasable(
  held: readonly HeldMessage[],
  windows: WindowsNow,
): Map<string, HeldMessage[]> {
  const byId = new Map(windows.recipients.map((r) => [r.id, r]));
  const ready = new Map<string, HeldMessage[]>();
  for (const item of held) {
    const recipient = item.kind === "quiet" ? byId.get(item.target) : undefined;
    const waiting =
      item.kind === "quiet"
        ? recipient !== undefined && isQuiet(recipient, windows.nowMs)
        : windows.inMaintenance(item.service);
    if (waiting) continue;
    const id = `${item.kind}#${item.target}`;
    ready.set(id, [...(ready.get(id) ?? []), item]);
  }
  return ready;
}

/**
 * Who a digest of `items` goes to at `nowMs`: the recipient it was held for (if still
 * configured), or, for a maintenance window, everyone the openings would have reached
 * then; those of them in quiet hours now are `quiet` (held again, for their own digest).
 */
export function digestAudience(
  items: readonly HeldMessage[],
  recipients: readonly Recipient[],
  nowMs: number,
): { audience: string[]; quiet: string[] } {
  const [first] = items;
  if (!first) return { audience: [], quiet: [] };
  if (first.kind === "quiet") {
    return {
      audience: recipients.some((r) => r.id === first.target) ? [first.target] : [],
      quiet: [],
    };
  }
  const wanting = recipients.filter((r) =>
    items.some((item) => wants(r, { ...item, transition: "opened" })),
  );
  const ids = (list: readonly Recipient[]) => [...new Set(list.map((r) => r.id))].sort();
  return {
    audience: ids(wanting.filter((r) => !isQuiet(r, nowMs))),
    quiet: ids(wanting.filter((r) => isQuiet(r, nowMs))),
  };
}

/**
 * The outbox key of the digest of `items` (held for one target): made of the target and
 * when the first was held, the same however often a crashed round makes it.
 * @example digestKey(items) // "held#quiet#sub-3f2a#1707890000000#digest"
 */
export function digestKey(items: readonly HeldMessage[]): string {
  const [first] = items;
  if (!first) throw new Error("a digest holds at least one message");
  const since = Math.min(...items.map((item) => item.heldAt));
  return `held#${first.kind}#${first.target}#${since}#digest`;
}

/**
 * The outbox key of what became of the messages of one incident held for one target,
 * among the incident's records: `<incident>#held-<kind>-<target>`.
 */
export function heldNoteKey(item: Pick<HeldMessage, "incidentId" | "kind" | "target">): string {
  return `${item.incidentId}#held-${item.kind}-${item.target}`;
}

/** True for the record of messages held for a digest that told someone of the incident. */
export function isHeldNote(key: string): boolean {
  return key.includes("#held-");
}
