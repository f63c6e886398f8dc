import { describe, expect, it } from "vitest";
import { correlate, overlappingPeers } from "../../lambdas/domain/correlation";
import { type Incident, incidentId } from "../../lambdas/domain/incident";

const at = (iso: string) => Date.parse(iso);

/** An incident of `service` from `from` to `to` (null: still open) peaking at `peak`. */
function incident(service: string, from: string, to: string | null, peak = 1000): Incident {
  const startedAt = at(from);
  return {
    id: incidentId(service, startedAt),
    service,
    startedAt,
    openedAt: startedAt + 5 * 60_000,
    countAtOpen: peak,
    baselineAtOpen: 10,
    peak: { count: peak, at: startedAt + 10 * 60_000 },
    falloffs: [],
    resolvedAt: to === null ? null : at(to),
    correlatedWith: [],
  };
}

const NOW = at("2023-02-14T12:00:00Z");

describe("correlate", () => {
  it("names the other services whose incidents overlap, both ways, sorted by id", () => {
    // Prepare: the seed story
    const tmobile = incident("t-mobile", "2023-02-14T02:00:00Z", "2023-02-14T08:10:00Z", 83_412);
    const verizon = incident("verizon", "2023-02-14T02:35:00Z", "2023-02-14T05:35:00Z", 2034);
    const att = incident("att", "2023-02-14T02:40:00Z", "2023-02-14T05:25:00Z", 1287);

    // Act
    const result = correlate([tmobile, verizon, att], 30, NOW);

    // Assess
    expect(result.get(tmobile.id)).toEqual(["att", "verizon"]);
    expect(result.get(verizon.id)).toEqual(["att", "t-mobile"]);
    expect(result.get(att.id)).toEqual(["t-mobile", "verizon"]);
  });

  it("correlates incidents that touch within the window but not ones hours apart", () => {
    // Prepare: verizon starts 20 minutes after t-mobile resolves; att 3 hours after
    const tmobile = incident("t-mobile", "2023-02-14T02:00:00Z", "2023-02-14T04:00:00Z");
    const verizon = incident("verizon", "2023-02-14T04:20:00Z", "2023-02-14T05:00:00Z");
    const att = incident("att", "2023-02-14T07:00:00Z", "2023-02-14T08:00:00Z");

    // Act
    const result = correlate([tmobile, verizon, att], 30, NOW);

    // Assess
    expect(result.get(tmobile.id)).toEqual(["verizon"]);
    expect(result.get(verizon.id)).toEqual(["t-mobile"]);
    expect(result.get(att.id)).toEqual([]);
  });

  it("applies the window once: incidents 45 minutes apart are not related at 30", () => {
    // Prepare
    const tmobile = incident("t-mobile", "2023-02-14T02:00:00Z", "2023-02-14T04:00:00Z");
    const verizon = incident("verizon", "2023-02-14T04:45:00Z", "2023-02-14T05:00:00Z");

    // Act
    const result = correlate([tmobile, verizon], 30, NOW);

    // Assess
    expect(result.get(tmobile.id)).toEqual([]);
    expect(result.get(verizon.id)).toEqual([]);
  });

  it("with a window of 0 needs the incidents themselves to overlap", () => {
    // Prepare
    const tmobile = incident("t-mobile", "2023-02-14T02:00:00Z", "2023-02-14T04:00:00Z");
    const verizon = incident("verizon", "2023-02-14T04:20:00Z", "2023-02-14T05:00:00Z");
    const att = incident("att", "2023-02-14T03:55:00Z", "2023-02-14T05:00:00Z");

    // Act
    const result = correlate([tmobile, verizon, att], 0, NOW);

    // Assess
    expect(result.get(tmobile.id)).toEqual(["att"]);
    expect(result.get(verizon.id)).toEqual(["att"]);
  });

  it("extends an open incident to now", () => {
    // Prepare: t-mobile opened at 02:00 and is still open; verizon starts at 09:00
    const tmobile = incident("t-mobile", "2023-02-14T02:00:00Z", null);
    const verizon = incident("verizon", "2023-02-14T09:00:00Z", "2023-02-14T10:00:00Z");

    // Act
    const later = correlate([tmobile, verizon], 30, at("2023-02-14T10:00:00Z"));
    const earlier = correlate([tmobile, verizon], 30, at("2023-02-14T04:00:00Z"));
    const resolvedEarly = correlate(
      [{ ...tmobile, resolvedAt: at("2023-02-14T04:00:00Z") }, verizon],
      30,
      at("2023-02-14T10:00:00Z"),
    );

    // Assess
    expect(later.get(tmobile.id)).toEqual(["verizon"]);
    expect(later.get(verizon.id)).toEqual(["t-mobile"]);
    expect(earlier.get(tmobile.id)).toEqual([]);
    expect(resolvedEarly.get(tmobile.id)).toEqual([]);
  });

  it("never names an incident's own service, even for a second incident of it", () => {
    // Prepare
    const first = incident("t-mobile", "2023-02-14T02:00:00Z", "2023-02-14T03:00:00Z");
    const second = incident("t-mobile", "2023-02-14T03:10:00Z", "2023-02-14T04:00:00Z");

    // Act
    const result = correlate([first, second], 30, NOW);

    // Assess
    expect(result.get(first.id)).toEqual([]);
    expect(result.get(second.id)).toEqual([]);
  });
});

describe("overlappingPeers", () => {
  it("keeps one peer per other service: the overlapping incident with the highest peak", () => {
    // Prepare: two verizon incidents overlap t-mobile's; the second is bigger
    const tmobile = incident("t-mobile", "2023-02-14T02:00:00Z", "2023-02-14T08:00:00Z", 83_412);
    const small = incident("verizon", "2023-02-14T02:10:00Z", "2023-02-14T02:40:00Z", 300);
    const big = incident("verizon", "2023-02-14T03:00:00Z", "2023-02-14T05:00:00Z", 2034);
    const outside = incident("verizon", "2023-02-14T11:00:00Z", "2023-02-14T11:30:00Z", 9000);

    // Act
    const peers = overlappingPeers([tmobile, big, small, outside], 30, NOW);

    // Assess
    expect(peers.get(tmobile.id)?.map((p) => [p.id, p.peak.count])).toEqual([[big.id, 2034]]);
    expect(peers.get(small.id)?.map((p) => p.id)).toEqual([tmobile.id]);
    expect(peers.get(outside.id)).toEqual([]);
  });

  it("answers for every incident it is given, and nothing else", () => {
    // Prepare
    const a = incident("att", "2023-02-14T02:00:00Z", "2023-02-14T03:00:00Z");
    const b = incident("verizon", "2023-02-14T06:00:00Z", null);

    // Act
    const peers = overlappingPeers([a, b], 30, NOW);

    // Assess
    expect([...peers.keys()].sort()).toEqual([a.id, b.id].sort());
    expect(overlappingPeers([], 30, NOW).size).toBe(0);
  });
});
