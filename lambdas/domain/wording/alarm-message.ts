/**
 * outcry's own alarms as a webhook operator reads them. CloudWatch publishes an alarm's
 * change of state to the alarm topic as JSON (`AlarmName`, `NewStateValue`,
 * `NewStateReason`, `StateChangeTime`, `Region`, ...); email and SMS operators get that
 * as SNS delivers it, and a webhook gets it worded here, in the same summary shape as an
 * incident's, so the Slack body is made by the same code.
 */
import type { IncidentSummary } from "../incident";

/** The fields of CloudWatch's alarm notification that the wording uses. */
interface AlarmNotification {
  AlarmName: string;
  AlarmDescription?: string | null;
  NewStateValue: string;
  OldStateValue?: string;
  NewStateReason?: string;
  StateChangeTime?: string;
  Region?: string;
}

function isAlarmNotification(value: unknown): value is AlarmNotification {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<AlarmNotification>;
  return typeof v.AlarmName === "string" && typeof v.NewStateValue === "string";
}

/**
 * The summary of one alarm notification (the SNS message's text), or null when the text
 * is not one CloudWatch wrote.
 *
 * @example
 * alarmSummary('{"AlarmName":"Outcry-CollectErrors","AlarmDescription":"outcry: Collect function failed","NewStateValue":"ALARM","OldStateValue":"OK","NewStateReason":"Threshold Crossed: 1 datapoint [2.0] was >= 1.0","StateChangeTime":"2024-05-01T10:00:00.000+0000","Region":"US East (N. Virginia)"}')?.subject
 * // "ALARM: outcry: Collect function failed"
 */
export function alarmSummary(message: string): IncidentSummary | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  if (!isAlarmNotification(parsed)) return null;
  const what = parsed.AlarmDescription?.trim() || parsed.AlarmName;
  const subject = `${parsed.NewStateValue}: ${what}`.slice(0, 99);
  const change = parsed.OldStateValue
    ? `${parsed.AlarmName} went from ${parsed.OldStateValue} to ${parsed.NewStateValue}`
    : `${parsed.AlarmName} is ${parsed.NewStateValue}`;
  const when = parsed.StateChangeTime ? ` at ${parsed.StateChangeTime}` : "";
  const where = parsed.Region ? ` in ${parsed.Region}` : "";
  const paragraphs = [`${change}${when}${where}.`];
  if (parsed.NewStateReason) paragraphs.push(parsed.NewStateReason);
  return { subject, text: paragraphs.join("\n\n"), sms: subject.slice(0, 160) };
}
