/**
 * "Still elevated" reminders of an open incident: the first `afterMinutes` after the
 * incident opened, then one every `everyMinutes` while it stays open. Numbered from 1,
 * so each has a key of its own (`<incident>#reminder-<n>`) and the outbox records it
 * once whichever tick or runtime computes it. A tick that finds several due (detection
 * paused for a while) records only the newest: a person needs to hear once that it goes
 * on, not once per missed slot.
 */
import { MINUTE_MS } from "./buckets";
import type { OutboxMessage } from "./ports";

/** When reminders go; `false` in the config sends none. */
export interface ReminderSettings {
  afterMinutes: number;
  everyMinutes: number;
}

/**
 * The number of the newest reminder due at `atMs` for an incident opened at `openedAt`;
 * 0 while none is.
 * @example reminderDue(opened, opened + 8 * 3_600_000, { afterMinutes: 120, everyMinutes: 360 }) // 2
 */
export function reminderDue(
  openedAt: number,
  atMs: number,
  settings: ReminderSettings | false,
): number {
  if (!settings) return 0;
  const sinceFirst = atMs - openedAt - settings.afterMinutes * MINUTE_MS;
  if (sinceFirst < 0) return 0;
  return 1 + Math.floor(sinceFirst / (settings.everyMinutes * MINUTE_MS));
}

/**
 * When reminder `n` (from 1) of an incident opened at `openedAt` falls due.
 * @example reminderAt(opened, 1, { afterMinutes: 120, everyMinutes: 360 }) // opened + 2 h
 */
export function reminderAt(openedAt: number, n: number, settings: ReminderSettings): number {
  return openedAt + (settings.afterMinutes + (n - 1) * settings.everyMinutes) * MINUTE_MS;
}

/**
 * The outbox key of reminder `n` of an incident.
 * @example reminderKey("t-mobile#2023-02-14T02:10:00.000Z", 2) // "t-mobile#2023-02-14T02:10:00.000Z#reminder-2"
 */
export function reminderKey(incidentId: string, n: number): string {
  return `${incidentId}#reminder-${n}`;
}

/** True for a reminder message (an update that tells those already told). */
export function isReminder(message: Pick<OutboxMessage, "reminder">): boolean {
  return message.reminder !== undefined;
}
