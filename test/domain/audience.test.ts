/**
 * The audience rules: who wants a message, who is in quiet hours (read in their own zone,
 * across DST changes and midnight), and who is told of a resolution.
 */
import { describe, expect, it } from "vitest";
import {
  type AudienceSubject,
  announcementAudience,
  isQuiet,
  type Recipient,
  recipientsOf,
  resolvedAudience,
  splitByLeader,
  wants,
} from "../../lambdas/domain/audience";
import { defaultSubscriberId, parseConfig } from "../../lambdas/domain/config";

const at = (iso: string) => Date.parse(iso);
const NY = "America/New_York";
const EVERY_NIGHT = { days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const };

function recipient(id: string, extra: Partial<Recipient> = {}): Recipient {
  return { id, updates: false, quietHours: [], ...extra };
}

const opened = (service: string, category = "carrier"): AudienceSubject => ({
  service,
  category,
  transition: "opened",
});

describe("wants", () => {
  it("matches a service or a category, either one, and everything without a filter", () => {
    const both = recipient("both", { services: ["verizon"], categories: ["isp"] });
    expect(wants(both, opened("verizon"))).toBe(true);
    expect(wants(both, opened("comcast", "isp"))).toBe(true);
    expect(wants(both, opened("t-mobile"))).toBe(false);
    expect(wants(recipient("all"), opened("anything", "other"))).toBe(true);
  });

  it("gives growth updates only to those who asked for them; opened and resolved to all", () => {
    const update = { ...opened("t-mobile"), transition: "update" as const };
    expect(wants(recipient("plain"), update)).toBe(false);
    expect(wants(recipient("keen", { updates: true }), update)).toBe(true);
    expect(wants(recipient("plain"), { ...update, transition: "resolved" })).toBe(true);
  });
});

describe("isQuiet", () => {
  const nights = recipient("nights", {
    timeZone: NY,
    quietHours: [{ ...EVERY_NIGHT, from: 22 * 60, to: 7 * 60 }],
  });

  it("ends quiet hours at 7:00 New York time on the day clocks spring forward", () => {
    // 2024-03-10: 02:00 EST becomes 03:00 EDT; 07:00 EDT is 11:00Z (it was 12:00Z the day before)
    expect(isQuiet(nights, at("2024-03-10T02:30:00Z"))).toBe(false); // 21:30 EST, Saturday
    expect(isQuiet(nights, at("2024-03-10T03:00:00Z"))).toBe(true); // 22:00 EST
    expect(isQuiet(nights, at("2024-03-10T10:59:00Z"))).toBe(true); // 06:59 EDT
    expect(isQuiet(nights, at("2024-03-10T11:30:00Z"))).toBe(false); // 07:30 EDT (06:30 in EST)
    expect(isQuiet(nights, at("2024-03-09T11:30:00Z"))).toBe(true); // 06:30 EST the day before
  });

  it("ends quiet hours at 7:00 New York time on the day clocks fall back", () => {
    // 2024-11-03: 02:00 EDT becomes 01:00 EST; 07:00 EST is 12:00Z
    expect(isQuiet(nights, at("2024-11-03T01:59:00Z"))).toBe(false); // 21:59 EDT, Saturday
    expect(isQuiet(nights, at("2024-11-03T02:00:00Z"))).toBe(true); // 22:00 EDT
    expect(isQuiet(nights, at("2024-11-03T11:30:00Z"))).toBe(true); // 06:30 EST (07:30 in EDT)
    expect(isQuiet(nights, at("2024-11-03T12:00:00Z"))).toBe(false); // 07:00 EST
  });

  it("holds a window in the repeated hour twice, and one in the skipped hour never", () => {
    const repeated = recipient("r", {
      timeZone: NY,
      quietHours: [{ ...EVERY_NIGHT, from: 60, to: 90 }], // 01:00-01:30
    });
    expect(isQuiet(repeated, at("2024-11-03T05:15:00Z"))).toBe(true); // 01:15 EDT
    expect(isQuiet(repeated, at("2024-11-03T06:15:00Z"))).toBe(true); // 01:15 EST
    expect(isQuiet(repeated, at("2024-11-03T05:45:00Z"))).toBe(false); // 01:45 EDT
    const skipped = recipient("s", {
      timeZone: NY,
      quietHours: [{ ...EVERY_NIGHT, from: 2 * 60, to: 2 * 60 + 30 }], // 02:00-02:30
    });
    for (let t = at("2024-03-10T05:00:00Z"); t < at("2024-03-10T09:00:00Z"); t += 60_000) {
      expect(isQuiet(skipped, t), new Date(t).toISOString()).toBe(false);
    }
    expect(isQuiet(skipped, at("2024-03-11T06:15:00Z"))).toBe(true); // 02:15 EDT next day
  });

  it("carries a weekly window past midnight into the next morning only", () => {
    // Friday 23:00 to 06:00 in Berlin (CEST, UTC+2 in June); 2024-06-07 is a Friday
    const weekend = recipient("w", {
      timeZone: "Europe/Berlin",
      quietHours: [{ days: ["fri"], from: 23 * 60, to: 6 * 60 }],
    });
    expect(isQuiet(weekend, at("2024-06-07T21:30:00Z"))).toBe(true); // Fri 23:30
    expect(isQuiet(weekend, at("2024-06-08T03:30:00Z"))).toBe(true); // Sat 05:30
    expect(isQuiet(weekend, at("2024-06-08T04:30:00Z"))).toBe(false); // Sat 06:30
    expect(isQuiet(weekend, at("2024-06-08T21:30:00Z"))).toBe(false); // Sat 23:30
    expect(isQuiet(weekend, at("2024-06-07T03:30:00Z"))).toBe(false); // Fri 05:30
  });

  it("holds a one-off window from its start up to its end, in any zone", () => {
    const away = recipient("a", {
      quietHours: [{ start: at("2024-07-01T00:00:00Z"), end: at("2024-07-15T00:00:00Z") }],
    });
    expect(isQuiet(away, at("2024-06-30T23:59:00Z"))).toBe(false);
    expect(isQuiet(away, at("2024-07-01T00:00:00Z"))).toBe(true);
    expect(isQuiet(away, at("2024-07-14T23:59:00Z"))).toBe(true);
    expect(isQuiet(away, at("2024-07-15T00:00:00Z"))).toBe(false);
  });
});

describe("announcementAudience", () => {
  const night = { timeZone: NY, quietHours: [{ ...EVERY_NIGHT, from: 22 * 60, to: 7 * 60 }] };
  const recipients = [
    recipient("verizon-fan", { services: ["verizon"] }),
    recipient("isp-desk", { categories: ["isp"] }),
    recipient("sleeper", { ...night }),
    recipient("all"),
  ];

  it("is everyone who wants one of the announced incidents and is not quiet, sorted", () => {
    const group = [opened("t-mobile"), opened("verizon")];
    // 23:00 New York: the sleeper is quiet
    expect(announcementAudience(recipients, group, at("2024-06-02T03:00:00Z"))).toEqual([
      "all",
      "verizon-fan",
    ]);
    // noon: the sleeper hears it too
    expect(announcementAudience(recipients, group, at("2024-06-02T16:00:00Z"))).toEqual([
      "all",
      "sleeper",
      "verizon-fan",
    ]);
  });

  it("is empty when nobody wants it", () => {
    expect(
      announcementAudience([recipient("isp", { categories: ["isp"] })], [opened("t-mobile")], 0),
    ).toEqual([]);
  });
});

describe("resolvedAudience and splitByLeader", () => {
  it("tells a resolution to those told of the incident, quiet or not, and still configured", () => {
    const sleeper = recipient("sleeper", {
      quietHours: [{ start: 0, end: Number.MAX_SAFE_INTEGER }],
    });
    const recipients = [sleeper, recipient("late-joiner"), recipient("kept")];
    expect(resolvedAudience(recipients, ["sleeper", "kept", "removed-since"])).toEqual([
      "kept",
      "sleeper",
    ]);
  });

  it("splits a group update between those who had the first message and the others", () => {
    expect(splitByLeader(["a", "b", "c"], ["b", "z"])).toEqual({ update: ["b"], news: ["a", "c"] });
  });
});

describe("subscribers and webhooks in the config", () => {
  const services = [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }];

  it("gives a subscriber a stable id from its address unless it names one", () => {
    const config = parseConfig({
      services,
      subscribers: [
        { email: "noc@example.org" },
        { sms: "+15555550123", id: "pager", categories: ["carrier"] },
      ],
    });
    const [first, second] = config.subscribers;
    expect(first?.id).toBe(defaultSubscriberId("noc@example.org"));
    expect(first?.id).toMatch(/^sub-[0-9a-f]{10}$/);
    expect(first?.id).not.toContain("noc");
    expect(second?.id).toBe("pager");
    // Moving the entry or changing its filters keeps its id.
    const moved = parseConfig({
      services,
      subscribers: [{ sms: "+15555550123" }, { email: "noc@example.org", updates: true }],
    });
    expect(moved.subscribers[1]?.id).toBe(first?.id);
  });

  it("reads quiet hours like maintenance windows and needs a zone for recurring ones", () => {
    const config = parseConfig({
      services,
      subscribers: [
        {
          email: "a@example.org",
          timeZone: NY,
          quietHours: [
            { from: "22:00", to: "07:00" },
            { start: "2024-07-01T00:00:00Z", end: "2024-07-15T00:00:00Z" },
          ],
        },
      ],
    });
    expect(config.subscribers[0]?.quietHours).toEqual([
      { days: [...EVERY_NIGHT.days], from: 1320, to: 420 },
      { start: at("2024-07-01T00:00:00Z"), end: at("2024-07-15T00:00:00Z") },
    ]);
    expect(() =>
      parseConfig({
        services,
        subscribers: [{ email: "a@example.org", quietHours: [{ from: "22:00", to: "07:00" }] }],
      }),
    ).toThrow(/subscribers\[0\]\.timeZone: recurring quietHours are local times/);
  });

  it("lists subscribers and webhooks as recipients, each id once", () => {
    const config = parseConfig({
      services,
      subscribers: [{ email: "a@example.org" }],
      webhooks: [{ id: "noc-slack", categories: ["carrier"], updates: true }],
    });
    expect(recipientsOf(config).map((r) => r.id)).toEqual([
      defaultSubscriberId("a@example.org"),
      "noc-slack",
    ]);
    expect(() =>
      parseConfig({
        services,
        subscribers: [{ email: "a@example.org", id: "noc" }],
        webhooks: [{ id: "noc" }],
      }),
    ).toThrow(/webhooks\[0\]\.id: id 'noc' is already used by subscribers\[0\]/);
    expect(() => parseConfig({ services, webhooks: [{ id: "x", services: ["verizon"] }] })).toThrow(
      /webhooks\[0\]\.services\[0\]: no service has id 'verizon'/,
    );
    expect(() =>
      parseConfig({ services, webhooks: [{ id: "x", url: "ftp://example.org/hook" }] }),
    ).toThrow(/webhooks\[0\]\.url: use an http\(s\) URL/);
  });

  it("names both entries when one address is listed twice", () => {
    expect(() =>
      parseConfig({
        services,
        subscribers: [{ email: "a@example.org" }, { email: "a@example.org", categories: ["isp"] }],
      }),
    ).toThrow(
      /subscribers\[1\]: a@example\.org is already subscribers\[0\]; merge the two entries/,
    );
    expect(() =>
      parseConfig({
        services,
        subscribers: [{ sms: "+15555550123" }, { sms: "+15555550123", updates: true }],
      }),
    ).toThrow(/subscribers\[1\]: \+15555550123 is already subscribers\[0\]; merge the two entries/);
    // Different ids do not make one address two subscriptions (SNS keeps one).
    expect(() =>
      parseConfig({
        services,
        subscribers: [
          { email: "ops@example.org", id: "ops" },
          { email: "ops@example.org", id: "ops-night" },
        ],
      }),
    ).toThrow(/subscribers\[1\]: ops@example\.org is already subscribers\[0\]/);
  });

  it("refuses ids that differ only in hyphens, which the stack would name alike", () => {
    expect(() => parseConfig({ services, webhooks: [{ id: "noc-1" }, { id: "noc1" }] })).toThrow(
      /webhooks\[1\]\.id: id 'noc1' is already used by webhooks\[0\]/,
    );
  });

  it("keeps a recipient quiet through the last minute of a day that ends at '24:00'", () => {
    // Arrange
    const config = parseConfig({
      services,
      subscribers: [
        {
          email: "weekend@example.org",
          timeZone: "America/New_York",
          quietHours: [{ days: ["sat", "sun"], from: "00:00", to: "24:00" }],
        },
      ],
    });
    const [weekend] = recipientsOf(config);
    if (!weekend) throw new Error("no recipient");

    // Act and assess: Saturday 23:59:30 and Sunday 00:00 in New York are quiet; Monday is not
    expect(isQuiet(weekend, Date.parse("2024-06-02T03:59:30Z"))).toBe(true);
    expect(isQuiet(weekend, Date.parse("2024-06-02T04:00:00Z"))).toBe(true);
    expect(isQuiet(weekend, Date.parse("2024-06-03T04:00:00Z"))).toBe(false);
    expect(() =>
      parseConfig({
        services,
        subscribers: [
          {
            email: "x@example.org",
            quietHours: [
              { start: "2024-06-01T00:00:00Z", end: "2024-06-02T00:00:00Z" },
              { days: ["sun"], from: "24:00", to: "02:00" },
            ],
            timeZone: "UTC",
          },
        ],
      }),
    ).toThrow(/quietHours\[1\]\.from: a window starts before '24:00'/);
  });
});
