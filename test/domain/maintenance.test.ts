import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { inMaintenance } from "../../lambdas/domain/maintenance";

const at = (iso: string) => Date.parse(iso);
const NY = "America/New_York";

describe("inMaintenance", () => {
  it("holds a one-off window from its start up to its end", () => {
    const windows = [{ start: at("2024-06-01T02:00:00Z"), end: at("2024-06-01T04:00:00Z") }];
    expect(inMaintenance(windows, NY, at("2024-06-01T01:59:00Z"))).toBe(false);
    expect(inMaintenance(windows, NY, at("2024-06-01T02:00:00Z"))).toBe(true);
    expect(inMaintenance(windows, NY, at("2024-06-01T04:00:00Z"))).toBe(false);
  });

  it("reads a recurring window in the service's zone, on its days only", () => {
    // Sundays 02:00-04:00 New York time; 2024-06-02 is a Sunday (EDT, UTC-4)
    const windows = [{ days: ["sun"] as const, from: 120, to: 240 }];
    expect(inMaintenance(windows, NY, at("2024-06-02T06:30:00Z"))).toBe(true);
    expect(inMaintenance(windows, NY, at("2024-06-02T02:30:00Z"))).toBe(false);
    expect(inMaintenance(windows, NY, at("2024-06-03T06:30:00Z"))).toBe(false);
    // In winter (EST, UTC-5) the same local window is an hour later in UTC
    expect(inMaintenance(windows, NY, at("2024-01-07T07:30:00Z"))).toBe(true);
    expect(inMaintenance(windows, NY, at("2024-01-07T06:30:00Z"))).toBe(false);
  });

  it("carries a window past midnight into the next day", () => {
    // Saturdays 23:00 to 01:00 local
    const windows = [{ days: ["sat"] as const, from: 23 * 60, to: 60 }];
    expect(inMaintenance(windows, "UTC", at("2024-06-01T23:30:00Z"))).toBe(true);
    expect(inMaintenance(windows, "UTC", at("2024-06-02T00:30:00Z"))).toBe(true);
    expect(inMaintenance(windows, "UTC", at("2024-06-02T23:30:00Z"))).toBe(false);
    expect(inMaintenance(windows, "UTC", at("2024-06-01T00:30:00Z"))).toBe(false);
  });
});

describe("maintenance windows in the config", () => {
  const service = (maintenance: unknown[]) => ({
    services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier", maintenance }],
  });

  it("reads both forms, every day when no days are given", () => {
    const config = parseConfig(
      service([
        { start: "2024-06-01T02:00:00Z", end: "2024-06-01T04:00:00Z" },
        { from: "02:00", to: "04:30" },
      ]),
    );
    expect(config.services[0]?.maintenance).toEqual([
      { start: at("2024-06-01T02:00:00Z"), end: at("2024-06-01T04:00:00Z") },
      { days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], from: 120, to: 270 },
    ]);
  });

  it("says how to write a window it cannot read", () => {
    expect(() => parseConfig(service([{ from: "2am", to: "04:00" }]))).toThrow(
      /services\[0\]\.maintenance\[0\]/,
    );
    expect(() =>
      parseConfig(service([{ start: "2024-06-01T04:00:00Z", end: "2024-06-01T02:00:00Z" }])),
    ).toThrow(/end must be after start/);
  });
});
