/**
 * Who may receive a message: the audience. One SNS publish fans out to every subscriber,
 * so the publish itself says who may have it (the `audience` attribute, which each
 * subscription's filter policy requires its own id in), and these rules alone decide it:
 *
 * - An opened message (alone or as a group) goes to each recipient whose `services` or
 *   `categories` match one of the incidents it announces, unless the recipient is in
 *   quiet hours when it goes out.
 * - An update of a growing incident goes the same way, to recipients with `updates: true`.
 * - A resolved message goes to everyone who was told of the incident (its opening or an
 *   update), quiet hours or not: the same precedent as maintenance windows, where an
 *   incident told before the window still gets its resolution. Someone who was quiet at
 *   the opening, and heard no update, is not told it is over.
 *
 * Quiet hours are maintenance windows of a person: one-off or recurring, read with
 * {@link inMaintenance} in the recipient's zone (so DST and windows past midnight behave
 * the same for both).
 */
import type { Config } from "./config";
import { inMaintenance, type MaintenanceWindow } from "./maintenance";

/** A subscriber or a webhook, as the audience rules see it. */
export interface Recipient {
  id: string;
  /** Only these services, or (either matches) these categories; neither: everything. */
  services?: readonly string[] | undefined;
  categories?: readonly string[] | undefined;
  /** Also growth updates. */
  updates: boolean;
  /** The number a subscriber gets texts at (their texts are capped, see `sms-cap.ts`). */
  sms?: string | undefined;
  /** Zone of recurring quiet hours. */
  timeZone?: string | undefined;
  quietHours: readonly MaintenanceWindow[];
}

/** What the rules need to know of a message. */
export interface AudienceSubject {
  service: string;
  category: string;
  transition: "opened" | "resolved" | "update";
}

/**
 * The subscribers and webhooks of a configuration, subscribers first.
 * @example recipientsOf(config).map((r) => r.id) // ["sub-3f2a…", "noc-slack"]
 */
export function recipientsOf(config: Pick<Config, "subscribers" | "webhooks">): Recipient[] {
  return [...config.subscribers, ...(config.webhooks ?? [])];
}

/** True when `recipient` asked for messages about `subject` (quiet hours aside). */
export function wants(recipient: Recipient, subject: AudienceSubject): boolean {
  if (subject.transition === "update" && !recipient.updates) return false;
  const { services, categories } = recipient;
  if (!services && !categories) return true;
  return (
    (services?.includes(subject.service) ?? false) ||
    (categories?.includes(subject.category) ?? false)
  );
}

/**
 * True when `recipient` is in quiet hours at `atMs`.
 * @example isQuiet({ …, timeZone: "America/New_York", quietHours: [{ days: [...], from: 1320, to: 420 }] }, at) // 22:00-07:00 local
 */
export function isQuiet(recipient: Recipient, atMs: number): boolean {
  return inMaintenance(recipient.quietHours, recipient.timeZone ?? "UTC", atMs);
}

/**
 * The audience of a message announcing `subjects` (an opened message, a group, an
 * update) going out at `atMs`: recipients who want one of them and are not quiet. Ids
 * sorted, each once.
 */
export function announcementAudience(
  recipients: readonly Recipient[],
  subjects: readonly AudienceSubject[],
  atMs: number,
): string[] {
  return sortedIds(
    recipients.filter((r) => subjects.some((s) => wants(r, s)) && !isQuiet(r, atMs)),
  );
}

/**
 * Everyone who wants a message about `subjects`, quiet or not: whom an opening reached
 * before audiences were recorded, for a resolution whose opening left no audience.
 */
export function interestedAudience(
  recipients: readonly Recipient[],
  subjects: readonly AudienceSubject[],
): string[] {
  return sortedIds(recipients.filter((r) => subjects.some((s) => wants(r, s))));
}

/**
 * The audience of a resolved message: everyone who was told of the incident (the
 * recorded audiences of its opened and update messages), still configured.
 */
export function resolvedAudience(
  recipients: readonly Recipient[],
  told: Iterable<string>,
): string[] {
  const toldIds = new Set(told);
  return sortedIds(recipients.filter((r) => toldIds.has(r.id)));
}

/**
 * Splits the audience of a group that joins one already sent: those who got the leader's
 * message read the update of it ("Verizon also elevated, with the T-Mobile outage"); the
 * others, who never heard of that outage, get the group as news of its own.
 */
export function splitByLeader(
  audience: readonly string[],
  leaderAudience: readonly string[],
): { update: string[]; news: string[] } {
  const heard = new Set(leaderAudience);
  return {
    update: audience.filter((id) => heard.has(id)),
    news: audience.filter((id) => !heard.has(id)),
  };
}

function sortedIds(recipients: readonly Recipient[]): string[] {
  return [...new Set(recipients.map((r) => r.id))].sort();
}
