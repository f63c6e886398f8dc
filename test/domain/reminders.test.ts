import { describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import { type ReminderSettings, reminderAt, reminderDue } from "../../lambdas/domain/reminders";
import { gsm7Length } from "../../lambdas/domain/wording/gsm7";
import { reminderSummary } from "../../lambdas/domain/wording/reminder-summary";

const OPENED = Date.parse("2024-06-02T15:00:00Z");
const SETTINGS: ReminderSettings = { afterMinutes: 120, everyMinutes: 360 };
const SERVICES = [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }];
const at = (minutes: number) => OPENED + minutes * MINUTE_MS;

describe("reminderDue", () => {
  it("names the first after afterMinutes, then one more every everyMinutes", () => {
    expect(reminderDue(OPENED, at(119), SETTINGS)).toBe(0);
    expect(reminderDue(OPENED, at(120), SETTINGS)).toBe(1);
    expect(reminderDue(OPENED, at(479), SETTINGS)).toBe(1);
    expect(reminderDue(OPENED, at(480), SETTINGS)).toBe(2);
    expect(reminderAt(OPENED, 2, SETTINGS)).toBe(at(480));
  });

  it("names none when reminders are off", () => {
    expect(reminderDue(OPENED, at(10_000), false)).toBe(0);
  });
});

describe("reminder settings in the config", () => {
  it("default to a first after 2 hours, then every 6", () => {
    expect(parseConfig({ services: SERVICES }).notifications.reminders).toEqual(SETTINGS);
  });

  it("refuse an interval shorter than the first wait, naming the field and the fix", () => {
    expect(() =>
      parseConfig({
        services: SERVICES,
        notifications: { reminders: { afterMinutes: 240, everyMinutes: 120 } },
      }),
    ).toThrow(/everyMinutes must be at least afterMinutes; raise everyMinutes/);
  });

  it("refuse a reminder sooner than half an hour", () => {
    expect(() =>
      parseConfig({
        services: SERVICES,
        notifications: { reminders: { afterMinutes: 5, everyMinutes: 60 } },
      }),
    ).toThrow(/afterMinutes/);
  });
});

describe("reminderSummary", () => {
  it("says how long and how high in one line, with the GMT time", () => {
    const summary = reminderSummary("T-Mobile", {
      n: 1,
      openedAt: OPENED,
      count: 2_130,
      at: at(240),
      timeZone: "America/New_York",
    });
    expect(summary.subject).toBe(
      "T-Mobile still elevated after 4 h; about 2,100 reports at 3 p.m. ET (19:00 GMT)",
    );
    expect(gsm7Length(summary.sms)).toBeLessThanOrEqual(160);
  });

  it("fits a long name into an SMS and a subject", () => {
    const summary = reminderSummary("A".repeat(150), {
      n: 3,
      openedAt: OPENED,
      count: 83_412,
      at: at(1000),
      timeZone: "Europe/Berlin",
    });
    expect(gsm7Length(summary.sms)).toBeLessThanOrEqual(160);
    expect(summary.subject.length).toBeLessThan(100);
  });
});
