/**
 * The SMS cap's rules: a text per category per cap to each SMS subscriber, the rest
 * counted and noted on the next; email and webhooks untouched; the note that goes alone
 * when nothing else comes, in one SMS, never in quiet hours.
 */
import { describe, expect, it } from "vitest";
import type { Recipient } from "../../lambdas/domain/audience";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { DeliveryPart, OutboxMessage, SmsCapState } from "../../lambdas/domain/ports";
import { capId, capParts, dueFolds, foldSms, sentNow } from "../../lambdas/domain/sms-cap";
import { smsFits } from "../../lambdas/domain/wording/fitting";

/** 22:05 in New York (EST), 13 Feb 2023. */
const T0 = Date.parse("2023-02-14T03:05:00Z");
const CAP = 15 * MINUTE_MS;
const NY = "America/New_York";

const recipients: Recipient[] = [
  { id: "phone", sms: "+15555550100", updates: false, quietHours: [] },
  { id: "mail", updates: false, quietHours: [] },
  { id: "hook", updates: false, quietHours: [] },
];

function message(service: string, category = "carrier"): OutboxMessage {
  return {
    key: `${service}-1#opened`,
    incidentId: `${service}-1`,
    transition: "opened",
    service,
    serviceName: service.toUpperCase(),
    category,
    summary: { subject: `${service} outage`, text: `${service} text`, sms: `${service} outage.` },
    createdAt: T0,
  };
}

const partsOf = (m: OutboxMessage): DeliveryPart[] => [
  { summary: m.summary, audience: ["hook", "mail", "phone"] },
];

/** Sends `services` in order, one a minute from `from`, each through the cap. */
function sendAll(services: string[], from = T0, start = new Map<string, SmsCapState>()) {
  const states = new Map(start);
  const sent: { service: string; parts: DeliveryPart[] }[] = [];
  services.forEach((service, i) => {
    const m = message(service);
    const capped = capParts({
      parts: partsOf(m),
      message: m,
      nowMs: from + i * MINUTE_MS,
      capMs: CAP,
      recipients,
      states,
      zoneOf: () => NY,
    });
    for (const s of capped.changed) states.set(capId(s.subscriber, s.category), s);
    sent.push({ service, parts: capped.parts });
  });
  return { sent, states };
}

describe("the SMS cap", () => {
  it("lets one text a category through per cap and counts the rest; email and webhooks get all", () => {
    // Act: 20 carriers open a minute apart
    const services = Array.from({ length: 20 }, (_, i) => `carrier-${i}`);
    const { sent, states } = sendAll(services);

    // Assess: the phone had the first text, then the one 15 minutes later, which notes the 14 between
    const toPhone = sent.flatMap(({ service, parts }) =>
      parts.filter((p) => p.audience.includes("phone")).map((p) => [service, p.summary.sms]),
    );
    expect(toPhone).toEqual([
      ["carrier-0", "carrier-0 outage."],
      ["carrier-15", "carrier-15 outage. (+14 more since 10:06 p.m. ET)"],
    ]);
    for (const { parts } of sent) {
      expect(parts.flatMap((p) => p.audience).filter((id) => id !== "phone")).toEqual([
        "hook",
        "mail",
      ]);
    }
    expect(states.get("phone#carrier")).toMatchObject({
      lastAt: T0 + 15 * MINUTE_MS,
      folded: 4,
      foldedSince: T0 + 16 * MINUTE_MS,
      latest: { service: "carrier-19", sms: "carrier-19 outage.", transition: "opened" },
    });
  });

  it("caps each category on its own", () => {
    // Prepare: the phone had a carrier text a minute ago
    const { states } = sendAll(["t-mobile"]);
    const cloud = message("aws", "cloud");

    // Act
    const capped = capParts({
      parts: partsOf(cloud),
      message: cloud,
      nowMs: T0 + MINUTE_MS,
      capMs: CAP,
      recipients,
      states,
      zoneOf: () => NY,
    });

    // Assess
    expect(capped.parts).toEqual(partsOf(cloud));
    expect(capped.changed.map((s) => capId(s.subscriber, s.category))).toEqual(["phone#cloud"]);
  });

  it("caps nothing when the cap is 0", () => {
    // Prepare
    const { states } = sendAll(["t-mobile"]);
    const verizon = message("verizon");

    // Act
    const capped = capParts({
      parts: partsOf(verizon),
      message: verizon,
      nowMs: T0 + MINUTE_MS,
      capMs: 0,
      recipients,
      states,
      zoneOf: () => NY,
    });

    // Assess
    expect(capped).toEqual({ parts: partsOf(verizon), changed: [] });
  });

  it("sends a message nobody may have to nobody rather than dropping it", () => {
    // Prepare: only the phone was to have it, and it is capped
    const { states } = sendAll(["t-mobile"]);
    const verizon = message("verizon");

    // Act
    const capped = capParts({
      parts: [{ summary: verizon.summary, audience: ["phone"] }],
      message: verizon,
      nowMs: T0 + MINUTE_MS,
      capMs: CAP,
      recipients,
      states,
      zoneOf: () => NY,
    });

    // Assess
    expect(capped.parts).toEqual([{ summary: verizon.summary, audience: [] }]);
    expect(capped.changed[0]?.folded).toBe(1);
  });
});

describe("the text that says what the cap kept back", () => {
  const folded: SmsCapState = {
    subscriber: "phone",
    category: "carrier",
    lastAt: T0,
    folded: 1_234,
    foldedSince: T0 + MINUTE_MS,
    latest: {
      sms: `Verizon outage: more than 9,000 reports at 10:20 p.m. ET. ${"Still rising across the US. ".repeat(6)}`,
      incidentId: "verizon-1",
      service: "verizon",
      serviceName: "Verizon",
      transition: "opened",
    },
  };

  it("is due once the cap has run out, not before, and not in quiet hours", () => {
    // Prepare: quiet 22:00-07:00 in New York
    const sleeper: Recipient = {
      ...recipients[0],
      id: "phone",
      timeZone: NY,
      quietHours: [
        { days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], from: 22 * 60, to: 7 * 60 },
      ],
    } as Recipient;

    // Act
    const early = dueFolds([folded], recipients, T0 + CAP - 1, CAP);
    const due = dueFolds([folded], recipients, T0 + CAP, CAP);
    const asleep = dueFolds([folded], [sleeper], T0 + CAP, CAP);
    const gone = dueFolds([folded], recipients.slice(1), T0 + CAP, CAP);

    // Assess
    expect(early).toEqual([]);
    expect(due.map((d) => d.state)).toEqual([folded]);
    expect(asleep).toEqual([]);
    expect(gone).toEqual([]);
  });

  it("counts what was kept back and ends with the latest, in one SMS", () => {
    // Act
    const sms = foldSms(folded, NY);

    // Assess
    expect(sms).toMatch(
      /^\+1,234 more since 10:06 p\.m\. ET\. Latest: Verizon outage: more than 9,000/,
    );
    expect(smsFits(sms)).toBe(true);
  });

  it("leaves nothing kept back once a text went", () => {
    // Act
    const after = sentNow(folded, T0 + CAP);

    // Assess
    expect(after).toMatchObject({ lastAt: T0 + CAP, folded: 0, foldedSince: null, latest: null });
    expect(dueFolds([after], recipients, T0 + 2 * CAP, CAP)).toEqual([]);
  });
});
