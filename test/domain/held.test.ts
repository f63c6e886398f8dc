import { describe, expect, it } from "vitest";
import type { Recipient } from "../../lambdas/domain/audience";
import { digestKey, releasable } from "../../lambdas/domain/held";
import type { HeldMessage } from "../../lambdas/domain/ports";
import { digestSummary } from "../../lambdas/domain/wording/digest-summary";
import { gsm7Length } from "../../lambdas/domain/wording/gsm7";

const NY = "America/New_York";
const EVERY_DAY = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const sleeper: Recipient = {
  id: "sleeper",
  updates: false,
  timeZone: NY,
  quietHours: [{ days: EVERY_DAY, from: 22 * 60, to: 7 * 60 }],
};

function held(heldAt: number, kind: HeldMessage["kind"] = "quiet"): HeldMessage {
  return {
    kind,
    target: kind === "quiet" ? "sleeper" : "t-mobile",
    incidentId: "t-mobile-1",
    service: "t-mobile",
    serviceName: "T-Mobile",
    category: "carrier",
    heldAt,
    subject: "T-Mobile outage",
  };
}

const ready = (items: HeldMessage[], nowMs: number) => [
  ...releasable(items, { recipients: [sleeper], inMaintenance: () => false, nowMs }).keys(),
];

describe("releasable: quiet hours 22:00-07:00 in New York", () => {
  it("ends the spring-forward night at 07:00 EDT (11:00 GMT)", () => {
    // 2024-03-10: clocks go from 02:00 EST to 03:00 EDT
    const item = held(Date.parse("2024-03-10T04:00:00Z"));
    expect(ready([item], Date.parse("2024-03-10T10:59:00Z"))).toEqual([]);
    expect(ready([item], Date.parse("2024-03-10T11:00:00Z"))).toEqual(["quiet#sleeper"]);
  });

  it("ends the fall-back night at 07:00 EST (12:00 GMT), the repeated hour still quiet", () => {
    // 2024-11-03: clocks go from 02:00 EDT back to 01:00 EST
    const item = held(Date.parse("2024-11-03T04:00:00Z"));
    expect(ready([item], Date.parse("2024-11-03T06:30:00Z"))).toEqual([]);
    expect(ready([item], Date.parse("2024-11-03T11:59:00Z"))).toEqual([]);
    expect(ready([item], Date.parse("2024-11-03T12:00:00Z"))).toEqual(["quiet#sleeper"]);
  });

  it("releases what waited for a recipient since removed, and maintenance once it ends", () => {
    const gone = { ...held(0), target: "gone" };
    expect(ready([gone], Date.parse("2024-06-02T06:00:00Z"))).toEqual(["quiet#gone"]);
    const windows = (inMaintenance: boolean) => ({
      recipients: [sleeper],
      inMaintenance: () => inMaintenance,
      nowMs: 0,
    });
    expect(releasable([held(0, "maintenance")], windows(true)).size).toBe(0);
    expect(releasable([held(0, "maintenance")], windows(false)).size).toBe(1);
  });

  it("keys a digest by its target and the first held, whatever the order", () => {
    expect(digestKey([held(20), held(10)])).toBe("held#quiet#sleeper#10#digest");
  });
});

describe("digestSummary", () => {
  const opened = Date.parse("2024-06-02T06:10:00Z");
  const line = (serviceName: string, count: number) => ({
    serviceName,
    timeZone: NY,
    openedAt: opened,
    level: { count, at: Date.parse("2024-06-02T11:00:00Z"), peak: false },
    subject: `${serviceName} outage`,
  });

  it("tells each incident still open in one line", () => {
    const summary = digestSummary([line("T-Mobile", 2_130)]);
    expect(summary.sms).toBe(
      "While you were away: T-Mobile outage since 2:10 a.m. ET, still elevated, about 2,100 reports at 7 a.m. ET.",
    );
    expect(summary.text).toContain("since 2:10 a.m. ET (06:10 GMT)");
  });

  it("fits many incidents into an SMS and a subject", () => {
    const names = Array.from({ length: 40 }, (_, i) => `Carrier number ${i}`);
    const summary = digestSummary(names.map((n) => line(n, 900)));
    expect(gsm7Length(summary.sms)).toBeLessThanOrEqual(160);
    expect(summary.subject.length).toBeLessThan(100);
  });
});
