/**
 * The SMS cap over one delivery round (rules in `domain/sms-cap.ts`): the states are read
 * once when the round starts, each message's parts are capped before they are recorded,
 * and the round ends by texting those whose cap ran out with texts still kept back.
 *
 * Two rounds that overlap (a tick's delivery and the next hand-out's) may each let one
 * text through for the same subscriber: the cap is a bound on a flood, not an exact
 * count. No count is lost, though: a text kept back is added in the store, and a text
 * let through restarts the cap only if nobody changed it since this round read it.
 */
import type { Recipient } from "../domain/audience";
import { inParallel, STORE_CONCURRENCY } from "../domain/in-parallel";
import type {
  DeliveryPart,
  Notifier,
  OutboxMessage,
  SmsCapState,
  SmsCapStore,
} from "../domain/ports";
import { capId, capParts, dueFolds, foldSms, sentNow } from "../domain/sms-cap";

/** How texts are capped: where the states live, the cap, and the zone of a service. */
export interface SmsCap {
  store: SmsCapStore;
  /** At most one SMS per category per this long per subscriber; 0 never caps. */
  capMs: number;
  /** The zone a service's times are told in, for a note to a subscriber with no zone. */
  timeZoneOf?: (service: string) => string;
}

/** The SMS cap's states for one round, kept up to date as messages go. */
export class SmsCapRound {
  private constructor(
    private readonly cap: SmsCap,
    private readonly recipients: readonly Recipient[],
    private readonly nowMs: number,
    private readonly states: Map<string, SmsCapState>,
  ) {}

  /**
   * The round's cap, or null when nothing is capped (no cap, a cap of 0, or no SMS
   * subscriber): then no state is read.
   */
  static async open(
    cap: SmsCap | undefined,
    recipients: readonly Recipient[],
    nowMs: number,
  ): Promise<SmsCapRound | null> {
    if (!cap || cap.capMs <= 0 || !recipients.some((r) => r.sms !== undefined)) return null;
    // A cap that cannot be read must not stop email, webhooks or texts: the round goes
    // uncapped.
    const stored = await cap.store.all().catch(() => null);
    if (!stored) return null;
    const states = new Map(stored.map((s) => [capId(s.subscriber, s.category), s]));
    return new SmsCapRound(cap, recipients, nowMs, states);
  }

  private zoneOf = (recipient: Recipient, service: string) =>
    recipient.timeZone ?? this.cap.timeZoneOf?.(service) ?? "UTC";

  /**
   * `parts` of `message` with the cap applied. The states are saved before the parts are
   * recorded: a crash in between counts the message as kept back for those it would have
   * reached (their next text says so), and never sends it twice.
   */
  async apply(message: OutboxMessage, parts: readonly DeliveryPart[]): Promise<DeliveryPart[]> {
    const capped = capParts({
      parts,
      message,
      nowMs: this.nowMs,
      capMs: this.cap.capMs,
      recipients: this.recipients,
      states: this.states,
      zoneOf: this.zoneOf,
    });
    // The round's view first, at once, so the next message is capped on it.
    const writes = capped.changed.map((state) => {
      const id = capId(state.subscriber, state.category);
      const seen = this.states.get(id);
      this.states.set(id, state);
      return { state, seen };
    });
    try {
      await inParallel(writes, STORE_CONCURRENCY, async ({ state, seen }) => {
        // A text kept back is added to what the store holds; a text let through starts
        // the cap afresh only from what this round saw, so another round's count is
        // never lost.
        if (state.folded > (seen?.folded ?? 0) && state.latest) {
          await this.cap.store.fold(state.subscriber, state.category, this.nowMs, state.latest);
        } else {
          await this.cap.store.restart(state, seen);
        }
      });
    } catch {
      // A count that cannot be kept must not lose the text it stands for: this message
      // goes uncapped.
      return [...parts];
    }
    return capped.parts;
  }

  /**
   * Texts each subscriber whose cap ran out with texts still kept back, saying how many
   * and what the last was; stops when `outOfTime`. A state is saved after its text went
   * (a crash sends it again rather than lose it); a text that failed waits for the next
   * round. Returns the delivery keys sent.
   */
  async sendDue(notifiers: readonly Notifier[], outOfTime: () => boolean): Promise<string[]> {
    const sent: string[] = [];
    for (const { state, recipient } of dueFolds(
      this.states.values(),
      this.recipients,
      this.nowMs,
      this.cap.capMs,
    )) {
      if (outOfTime()) break;
      const latest = state.latest;
      const sms = foldSms(state, this.zoneOf(recipient, latest?.service ?? ""));
      const key = `cap#${capId(state.subscriber, state.category)}#${state.foldedSince}`;
      const message = {
        key,
        deliveryKey: key,
        // SNS refuses an empty attribute: the text stands for the last message it folded.
        incidentId: latest?.incidentId ?? key,
        transition: latest?.transition ?? "update",
        service: latest?.service ?? state.category,
        serviceName: latest?.serviceName ?? state.category,
        category: state.category,
        summary: {
          subject: `${state.folded} more outcry ${state.folded === 1 ? "text" : "texts"}`,
          text: sms,
          sms,
        },
        createdAt: this.nowMs,
        audience: [state.subscriber],
      };
      try {
        for (const notifier of notifiers) await notifier.send(message);
      } catch {
        continue;
      }
      const after = sentNow(state, this.nowMs);
      this.states.set(capId(state.subscriber, state.category), after);
      sent.push(key);
      // Not saved: the next round sends it again, as after a crash; it is never lost.
      await this.cap.store.restart(after, state).catch(() => false);
    }
    return sent;
  }
}
