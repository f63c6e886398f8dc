import { describe, expect, it } from "vitest";
import { groupOpened } from "../../lambdas/domain/grouping";
import type { OutboxMessage } from "../../lambdas/domain/ports";
import { groupedResolution, groupedSummary } from "../../lambdas/domain/wording/group-summary";
import { gsm7Length } from "../../lambdas/domain/wording/gsm7";

const MIN = 60_000;
const T0 = Date.parse("2023-02-14T02:05:00Z");

function opened(
  service: string,
  name: string,
  createdAt: number,
  category = "carrier",
): OutboxMessage {
  return {
    key: `${service}-20230214T0200Z#opened`,
    incidentId: `${service}-20230214T0200Z`,
    transition: "opened",
    service,
    serviceName: name,
    category,
    summary: {
      subject: `${name} outage: more than 640 reports at 9:05 p.m. ET`,
      text: `Reports of ${name} problems began rising.`,
      sms: `${name} outage: more than 640 reports at 9:05 p.m. ET.`,
    },
    createdAt,
  };
}

const tmobile = opened("t-mobile", "T-Mobile", T0);
const verizon = opened("verizon", "Verizon", T0 + 2 * MIN);
const att = opened("att", "AT&T", T0 + 4 * MIN);
const comcast = opened("comcast", "Comcast", T0 + MIN, "isp");

describe("groupOpened", () => {
  it("groups messages of one category within the window of the first, per category", () => {
    // Act
    const groups = groupOpened([att, comcast, verizon, tmobile], [], 5 * MIN);

    // Assess
    expect(groups.map((g) => g.members.map((m) => m.service))).toEqual([
      ["t-mobile", "verizon", "att"],
      ["comcast"],
    ]);
    expect(groups.every((g) => g.joins === null)).toBe(true);
  });

  it("starts a new group past the window", () => {
    // Act
    const groups = groupOpened([tmobile, { ...att, createdAt: T0 + 6 * MIN }], [], 5 * MIN);

    // Assess
    expect(groups.map((g) => g.members.map((m) => m.service))).toEqual([["t-mobile"], ["att"]]);
  });

  it("lets later messages join a group already sent within its window", () => {
    // Act
    const groups = groupOpened([verizon, att], [tmobile], 5 * MIN);

    // Assess
    expect(groups).toEqual([{ members: [verizon, att], joins: tmobile }]);
  });
});

describe("groupedSummary", () => {
  it("names the others in the leader's subject and SMS, and keeps every timeline", () => {
    // Act
    const summary = groupedSummary({ members: [tmobile, verizon, att], joins: null });

    // Assess
    expect(summary.subject).toBe("T-Mobile outage; Verizon and AT&T also elevated");
    expect(summary.sms).toBe(
      "T-Mobile outage: more than 640 reports at 9:05 p.m. ET. Verizon and AT&T also elevated.",
    );
    expect(summary.text).toContain("Reports of AT&T problems");
  });

  it("is the leader's own summary when it is alone", () => {
    expect(groupedSummary({ members: [tmobile], joins: null })).toEqual(tmobile.summary);
  });

  it("words joiners as an update of the group they join", () => {
    // Act
    const summary = groupedSummary({ members: [verizon, att], joins: tmobile });

    // Assess
    expect(summary.subject).toBe("Verizon and AT&T also elevated, with the T-Mobile outage");
    expect(
      summary.text.startsWith("Update to the T-Mobile outage: Verizon and AT&T also elevated."),
    ).toBe(true);
  });

  it("stays within the subject and SMS limits with many long names", () => {
    // Prepare
    const long = (i: number) =>
      opened(`svc-${i}`, `A Rather Long Regional Carrier Name Number ${i}`, T0 + i);

    // Act
    const members = Array.from({ length: 8 }, (_, i) => long(i));
    const group = groupedSummary({ members, joins: null });
    const joiners = groupedSummary({ members: members.slice(1), joins: members[0] ?? null });

    // Assess
    for (const summary of [group, joiners]) {
      expect(summary.subject.length).toBeLessThan(100);
      expect(gsm7Length(summary.sms)).toBeLessThanOrEqual(160);
    }
  });

  it("reads in seconds and stays small with a thousand members", () => {
    // Prepare: a mass outage, T-Mobile first, then Verizon and 998 others
    const others = Array.from({ length: 998 }, (_, i) =>
      opened(`svc-${i}`, `Service ${i}`, T0 + 2 + i),
    );
    const members = [tmobile, { ...verizon, createdAt: T0 + 1 }, ...others];

    // Act
    const group = groupedSummary({ members, joins: null });
    const joiners = groupedSummary({ members: members.slice(1), joins: tmobile });

    // Assess: the others counted, not listed; the email a few kilobytes, not a megabyte
    expect(group.subject).toMatch(/^T-Mobile outage; Verizon, .* and 9\d\d others also elevated$/);
    expect(group.sms).toMatch(/and 9\d\d others also elevated\.$/);
    expect(joiners.subject).toMatch(
      /^Verizon, .* and 9\d\d others also elevated, with the T-Mobile outage$/,
    );
    for (const summary of [group, joiners]) {
      expect(summary.subject.length).toBeLessThan(100);
      expect(gsm7Length(summary.sms)).toBeLessThanOrEqual(160);
      expect(summary.text.length).toBeLessThan(8_000);
      expect(summary.text).toMatch(/, Service 10\d and 8\d\d others also elevated\.$/);
    }
  });
});

describe("groupedResolution", () => {
  const resolved = (m: OutboxMessage): OutboxMessage => ({
    ...m,
    key: m.key.replace("#opened", "#resolved"),
    transition: "resolved",
    summary: {
      subject: `Resolved: ${m.serviceName} outage (peak 2,500)`,
      text: `${m.serviceName} is back to normal.`,
      sms: `Resolved: ${m.serviceName} outage (peak 2,500).`,
    },
  });

  it("names every resolved service in one subject and SMS, and keeps each text", () => {
    // Act
    const summary = groupedResolution([tmobile, verizon, att].map(resolved));

    // Assess
    expect(summary.subject).toBe("Resolved: T-Mobile, Verizon and AT&T outages");
    expect(summary.sms).toBe(
      "Resolved: T-Mobile outage (peak 2,500). Verizon and AT&T also back to normal.",
    );
    expect(summary.text).toContain("AT&T is back to normal.");
  });

  it("is the message's own summary when it is alone, and counts a thousand", () => {
    // Prepare
    const many = Array.from({ length: 1_000 }, (_, i) =>
      resolved(opened(`svc-${i}`, `Service ${i}`, T0 + i)),
    );

    // Act
    const alone = groupedResolution([resolved(tmobile)]);
    const mass = groupedResolution(many);

    // Assess
    expect(alone).toEqual(resolved(tmobile).summary);
    expect(mass.subject).toMatch(/^Resolved: Service 0, .* and 9\d\d others outages$/);
    expect(gsm7Length(mass.sms)).toBeLessThanOrEqual(160);
    expect(mass.text.length).toBeLessThan(8_000);
  });
});
