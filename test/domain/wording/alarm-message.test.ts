/**
 * CloudWatch's alarm notifications worded for a webhook operator.
 */
import { describe, expect, it } from "vitest";
import { alarmSummary } from "../../../lambdas/domain/wording/alarm-message";

describe("alarmSummary", () => {
  it("names the alarm's state and what it watches, then the change and CloudWatch's reason", () => {
    const summary = alarmSummary(
      JSON.stringify({
        AlarmName: "Outcry-NotificationsFailedDeliveries",
        AlarmDescription: "outcry: SNS could not deliver Notifications notifications",
        NewStateValue: "OK",
        OldStateValue: "ALARM",
        NewStateReason: "Threshold Crossed: no datapoints were received for 1 period",
        StateChangeTime: "2024-05-01T10:00:00.000+0000",
        Region: "EU (Ireland)",
      }),
    );
    expect(summary).toEqual({
      subject: "OK: outcry: SNS could not deliver Notifications notifications",
      text: "Outcry-NotificationsFailedDeliveries went from ALARM to OK at 2024-05-01T10:00:00.000+0000 in EU (Ireland).\n\nThreshold Crossed: no datapoints were received for 1 period",
      sms: "OK: outcry: SNS could not deliver Notifications notifications",
    });
  });

  it("falls back to the alarm's name, and keeps the subject under 100 characters", () => {
    const summary = alarmSummary(
      JSON.stringify({ AlarmName: `Outcry-${"x".repeat(200)}`, NewStateValue: "ALARM" }),
    );
    expect(summary?.subject.startsWith("ALARM: Outcry-xxx")).toBe(true);
    expect(summary?.subject.length).toBeLessThan(100);
    expect(summary?.text).toBe(`Outcry-${"x".repeat(200)} is ALARM.`);
  });

  it("answers null for text CloudWatch did not write", () => {
    expect(alarmSummary("not json")).toBeNull();
    expect(alarmSummary('{"AlarmName": 3}')).toBeNull();
    expect(alarmSummary("null")).toBeNull();
  });
});
