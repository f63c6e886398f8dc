/**
 * The per-subscriber SMS cap: in a mass outage a phone gets at most one text per
 * category per `notifications.smsCapMinutes` (15 by default), however many messages go
 * out. A text the cap keeps back is not lost: it is counted, and the next text that
 * subscriber gets says so ("+37 more since 10:05 p.m. ET"); when no text comes by the
 * end of the cap, one goes out for them alone, saying how many and what the last was.
 * Email and webhooks are not capped: a mailbox takes a flood without waking anyone, and
 * each email carries the whole timeline.
 *
 * A subscriber kept back still counts as told (the recorded audience is unchanged), so
 * the incident's resolution is theirs too, under the same cap.
 *
 * Pure: the use case reads the states (one per subscriber and category) once a round,
 * and saves what {@link capParts} changed before the parts are recorded.
 */
import { isQuiet, type Recipient } from "./audience";
import type { DeliveryPart, OutboxMessage, SmsCapState } from "./ports";
import { cutAtWord, smsFits } from "./wording/fitting";
import { toGsm7 } from "./wording/gsm7";
import { formatLocalTime } from "./wording/times";

/** The id of a state: subscriber and category. */
export const capId = (subscriber: string, category: string) => `${subscriber}#${category}`;

/**
 * The note a text carries for what the cap kept back.
 * @example foldNote(37, Date.parse("2023-02-14T03:05:00Z"), "America/New_York") // "+37 more since 10:05 p.m. ET"
 */
export function foldNote(folded: number, sinceMs: number, timeZone: string): string {
  return `+${folded.toLocaleString("en-US")} more since ${formatLocalTime(sinceMs, timeZone)}`;
}

/** `sms` with `note` after it, the SMS cut at a word if both do not fit one part. */
function withNote(sms: string, note: string): string {
  const tail = ` (${toGsm7(note)})`;
  return `${cutAtWord(sms, (s) => smsFits(`${s}${tail}`))}${tail}`;
}

/** What one message meets under the cap. */
export interface CapInput {
  parts: readonly DeliveryPart[];
  message: OutboxMessage;
  nowMs: number;
  capMs: number;
  recipients: readonly Recipient[];
  states: ReadonlyMap<string, SmsCapState>;
  /** The zone a recipient's note is told in (theirs, else the service's). */
  zoneOf: (recipient: Recipient, service: string) => string;
}

/** What capping a message did: its parts, and the states to save. */
export interface Capped {
  parts: DeliveryPart[];
  changed: SmsCapState[];
}

/** True when `recipient` receives texts (an SMS subscriber). */
const texts = (recipient: Recipient) => recipient.sms !== undefined;

/**
 * Caps the texts of `message` going out as `parts`: each SMS subscriber who had a text
 * of its category within `capMs` is taken out of the parts (and counted); one with texts
 * kept back gets the message in a part of its own that notes them. Nothing changes when
 * `capMs` is 0.
 * @example capParts({ parts, message, nowMs, capMs: 15 * 60_000, recipients, states, zoneOf })
 */
export function capParts(input: CapInput): Capped {
  const { parts, message, nowMs, capMs, states } = input;
  if (capMs <= 0) return { parts: [...parts], changed: [] };
  const texted = new Map(input.recipients.filter(texts).map((r) => [r.id, r]));
  const changed = new Map<string, SmsCapState>();
  const out: DeliveryPart[] = [];
  parts.forEach((part, index) => {
    const kept: string[] = [];
    const noted = new Map<string, string[]>();
    for (const id of part.audience) {
      const recipient = texted.get(id);
      if (!recipient) {
        kept.push(id);
        continue;
      }
      const key = capId(id, message.category);
      const state = changed.get(key) ?? states.get(key);
      if (state && nowMs - state.lastAt < capMs) {
        changed.set(key, {
          ...state,
          folded: state.folded + 1,
          foldedSince: state.foldedSince ?? nowMs,
          latest: {
            sms: part.summary.sms,
            incidentId: message.incidentId,
            service: message.service,
            serviceName: message.serviceName,
            transition: message.transition,
          },
        });
        continue;
      }
      changed.set(key, {
        subscriber: id,
        category: message.category,
        lastAt: nowMs,
        folded: 0,
        foldedSince: null,
        latest: null,
      });
      if (!state || state.folded === 0 || state.foldedSince === null) {
        kept.push(id);
        continue;
      }
      const zone = input.zoneOf(recipient, message.service);
      const note = foldNote(state.folded, state.foldedSince, zone);
      noted.set(note, [...(noted.get(note) ?? []), id]);
    }
    const wording = part.wording ? `${part.wording}-` : "";
    if (kept.length > 0 || noted.size === 0) out.push({ ...part, audience: kept });
    [...noted].forEach(([note, audience], n) => {
      out.push({
        summary: { ...part.summary, sms: withNote(part.summary.sms, note) },
        audience,
        wording: `${wording}capped-${index + 1}-${n + 1}`,
      });
    });
  });
  // Parts left with nobody are not sent, unless all are (the message goes to nobody).
  const nonEmpty = out.filter((part) => part.audience.length > 0);
  return {
    parts: nonEmpty.length > 0 ? nonEmpty : out.slice(0, 1),
    changed: [...changed.values()],
  };
}

/**
 * The states whose cap ran out with texts still kept back, of subscribers who still get
 * texts and are not in quiet hours: each gets a text of its own now.
 * @example dueFolds(states, recipients, now, 15 * 60_000) // [{ subscriber: "sub-1", folded: 3, … }]
 */
export function dueFolds(
  states: Iterable<SmsCapState>,
  recipients: readonly Recipient[],
  nowMs: number,
  capMs: number,
): { state: SmsCapState; recipient: Recipient }[] {
  const texted = new Map(recipients.filter(texts).map((r) => [r.id, r]));
  const due: { state: SmsCapState; recipient: Recipient }[] = [];
  for (const state of states) {
    const recipient = texted.get(state.subscriber);
    if (!recipient || state.folded === 0 || state.foldedSince === null) continue;
    if (nowMs - state.lastAt < capMs || isQuiet(recipient, nowMs)) continue;
    due.push({ state, recipient });
  }
  return due;
}

/**
 * The text that says what the cap kept back, when nothing else came to carry it.
 * @example foldSms(state, "America/New_York") // "+3 more since 10:05 p.m. ET. Latest: Verizon outage: …"
 */
export function foldSms(state: SmsCapState, timeZone: string): string {
  const note = toGsm7(foldNote(state.folded, state.foldedSince ?? state.lastAt, timeZone));
  return state.latest
    ? cutAtWord(`${note}. Latest: ${toGsm7(state.latest.sms)}`, smsFits)
    : `${note}.`;
}

/** The state once a text went to its subscriber at `nowMs`: nothing kept back. */
export function sentNow(state: SmsCapState, nowMs: number): SmsCapState {
  return { ...state, lastAt: nowMs, folded: 0, foldedSince: null, latest: null };
}
