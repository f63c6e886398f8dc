/**
 * The pure plan of a delivery round: its order, and what each follow-up does.
 */
import { describe, expect, it } from "vitest";
import { FOLLOW_UP_WAIT_MS, followUpStep, planRound } from "../../lambdas/domain/delivery-plan";
import type { OutboxEntry, OutboxMessage, OutboxRecord } from "../../lambdas/domain/ports";

const T0 = Date.parse("2024-02-01T10:00:00Z");
const HOUR = 3_600_000;

function message(
  service: string,
  transition: OutboxMessage["transition"],
  createdAt = T0,
  category = "carrier",
): OutboxMessage {
  const incidentId = `${service}-20240201T1000Z`;
  return {
    key: `${incidentId}#${transition}`,
    incidentId,
    transition,
    service,
    serviceName: service,
    category,
    summary: { subject: `${service} ${transition}`, text: "", sms: "" },
    createdAt,
  };
}
const entry = (m: OutboxMessage, attempts = 0): OutboxEntry => ({
  message: m,
  attempts,
  sentTo: [],
});
const record = (
  m: OutboxMessage,
  state: OutboxRecord["state"],
  more: Partial<OutboxRecord> = {},
): OutboxRecord => ({
  message: m,
  state,
  audience: null,
  sentAt: null,
  parts: null,
  retryAt: null,
  channels: [],
  ...more,
});
const keys = (steps: ReturnType<typeof planRound>) =>
  steps.map((s) =>
    s.kind === "opened"
      ? `opened ${s.entries.map((e) => e.message.service).join("+")}${s.joins ? ` joins ${s.joins.service}` : ""}`
      : `${s.kind} ${s.entry.message.key}`,
  );

describe("planRound", () => {
  it("holds back, then sends retried openings alone, groups fresh ones, and follow-ups last", () => {
    const due = [
      entry(message("att", "resolved", T0 - HOUR)),
      entry(message("verizon", "opened", T0 + 60_000)),
      entry(message("comcast", "opened", T0, "isp")),
      entry(message("t-mobile", "opened", T0)),
      entry(message("sprint", "opened", T0 - HOUR), 2),
    ];
    const steps = planRound(due, {
      heldBack: (m) => m.service === "comcast",
      windowMs: HOUR,
      sentOpenings: [],
    });
    expect(keys(steps)).toEqual([
      "hold-back comcast-20240201T1000Z#opened",
      "opened sprint",
      "opened t-mobile+verizon",
      "follow-up att-20240201T1000Z#resolved",
    ]);
  });

  it("joins a fresh opening to a group sent within the window, and groups nothing at 0", () => {
    const leader = message("t-mobile", "opened", T0);
    const due = [
      entry(message("verizon", "opened", T0 + 60_000)),
      entry(message("att", "opened", T0 + 60_000)),
    ];
    expect(
      keys(planRound(due, { heldBack: () => false, windowMs: HOUR, sentOpenings: [leader] })),
    ).toEqual(["opened att+verizon joins t-mobile"]);
    expect(
      keys(planRound(due, { heldBack: () => false, windowMs: 0, sentOpenings: [leader] })),
    ).toEqual(["opened verizon", "opened att"]);
  });
});

describe("followUpStep", () => {
  const recipients = [
    { id: "all", updates: true, quietHours: [] },
    { id: "tmo", services: ["t-mobile"], updates: false, quietHours: [] },
  ];
  const opened = message("t-mobile", "opened", T0);
  const update = message("t-mobile", "update", T0 + HOUR);
  const resolved = message("t-mobile", "resolved", T0 + 2 * HOUR);

  it("is held back with an opening that was", () => {
    expect(followUpStep(resolved, [record(opened, "suppressed")], recipients, T0)).toEqual({
      kind: "hold-back",
    });
  });

  it("waits for an earlier message still pending, until its retry or for a minute", () => {
    const now = T0 + 3 * HOUR;
    expect(
      followUpStep(
        resolved,
        [record(opened, "pending", { retryAt: now + 240_000 })],
        recipients,
        now,
      ),
    ).toEqual({ kind: "wait", until: now + 240_000, reason: `waits for ${opened.key}` });
    expect(followUpStep(resolved, [record(opened, "pending")], recipients, now)).toEqual({
      kind: "wait",
      until: now + FOLLOW_UP_WAIT_MS,
      reason: `waits for ${opened.key}`,
    });
  });

  it("sends a resolution to whoever was told by a message that went out", () => {
    const records = [
      record(opened, "sent", { audience: ["tmo"] }),
      record(update, "sent", { audience: ["all"] }),
      record(resolved, "pending"),
    ];
    expect(followUpStep(resolved, records, recipients, T0 + 3 * HOUR)).toEqual({
      kind: "send",
      audience: ["all", "tmo"],
    });
    // A dead-lettered opening told nobody.
    const dead = [record(opened, "dead", { audience: ["tmo"] }), record(resolved, "pending")];
    expect(followUpStep(resolved, dead, recipients, T0 + 3 * HOUR)).toEqual({
      kind: "send",
      audience: [],
    });
  });

  it("sends an update to whoever wants updates of the service now", () => {
    const records = [
      record(opened, "sent", { audience: ["all", "tmo"] }),
      record(update, "pending"),
    ];
    expect(followUpStep(update, records, recipients, T0 + HOUR)).toEqual({
      kind: "send",
      audience: ["all"],
    });
  });
});
