/**
 * The page's small pure parts: routes from the hash, the problem kinds offered per
 * category (the same catalog the API validates with), the sentences a report's outcome
 * is told in, the client's timeout, the paging of incidents and the service-zone asides.
 */

import { afterEach, describe, expect, it, vi } from "vitest";
import { PROBLEM_KINDS } from "../../contract/catalog";
import { ApiError, api, isAbort, REQUEST_TIMEOUT_MS } from "../../dashboard/src/api";
import { serviceZoneAside } from "../../dashboard/src/format";
import { IncidentPages, LOOKBACK_MS } from "../../dashboard/src/incident-pages";
import { problemChoices, problemLabel } from "../../dashboard/src/problem-kinds";
import { failureMessage, outcomeMessage } from "../../dashboard/src/report-dialog";
import { parseRoute } from "../../dashboard/src/router";
import { crowdEvidence } from "../../dashboard/src/views/incident-page";
import { resolvedIncident } from "./incident-fixture";

describe("parseRoute", () => {
  it("reads the overview, a service and an incident, decoding ids", () => {
    expect(parseRoute("")).toEqual({ kind: "overview" });
    expect(parseRoute("#/")).toEqual({ kind: "overview" });
    expect(parseRoute("#/service/t-mobile")).toEqual({ kind: "service", id: "t-mobile" });
    expect(parseRoute("#/incident/t-mobile-20230214T0200Z")).toEqual({
      kind: "incident",
      id: "t-mobile-20230214T0200Z",
    });
    expect(parseRoute("#/service/t%2Dmobile")).toEqual({ kind: "service", id: "t-mobile" });
  });

  it("sends unknown routes to the overview and leaves in-page anchors alone", () => {
    expect(parseRoute("#/nothing/here")).toEqual({ kind: "overview" });
    expect(parseRoute("#main")).toBeNull();
  });

  it("refuses ids that no service or incident has, such as '..', as not found", () => {
    for (const hash of [
      "#/service/..",
      "#/incident/.",
      "#/service/%2E%2E",
      "#/service/a%20b",
      "#/incident/a%2Fb",
      "#/service/-x",
      "#/service/%E0%A4%A",
    ]) {
      expect(parseRoute(hash), hash).toEqual({ kind: "notFound" });
    }
    expect(parseRoute("#/service/v1.2_x")).toEqual({ kind: "service", id: "v1.2_x" });
  });
});

describe("problemChoices", () => {
  it("offers exactly the kinds the API accepts, each with words", () => {
    for (const category of Object.keys(PROBLEM_KINDS) as (keyof typeof PROBLEM_KINDS)[]) {
      const choices = problemChoices(category);
      expect(choices.map((c) => c.kind)).toEqual([...PROBLEM_KINDS[category]]);
      expect(choices.every((c) => c.label.length > 0 && c.label !== c.kind)).toBe(true);
    }
    expect(problemLabel("no-signal")).toBe("No signal");
    expect(problemLabel("something-new")).toBe("something-new");
  });
});

describe("report outcome messages", () => {
  it("thanks for a counted report and explains a duplicate", () => {
    expect(outcomeMessage("accepted", "T-Mobile", "no-signal")).toBe(
      "Thank you: your report of no signal problems with T-Mobile was counted.",
    );
    expect(outcomeMessage("duplicate", "T-Mobile", "calls")).toMatch(
      /already reported.*T-Mobile.*counted once/,
    );
  });

  it("says when to try again after a 429 and passes the API's detail on otherwise", () => {
    expect(failureMessage(new ApiError(429, "Too Many Requests", "slow down", undefined, 42))).toBe(
      "Too many reports from your network just now. Please try again in 42 seconds; Send is off until then.",
    );
    expect(
      failureMessage(
        new ApiError(400, "Bad Request", "'problem' must be one of no-signal, calls", "problem"),
      ),
    ).toBe("The report was not accepted: 'problem' must be one of no-signal, calls.");
    expect(failureMessage(new ApiError(0, "Network error", "down"))).toMatch(/cannot be reached/);
  });
});

describe("api requests", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  /** A fetch that never answers, but stops when its signal aborts, as browsers do. */
  function stalledFetch() {
    return vi.fn(
      (_url: string, init: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () =>
            reject(new DOMException("The operation was aborted.", "AbortError")),
          );
        }),
    );
  }

  it("give up on a server that does not answer, with a timeout the page can show", async () => {
    // Prepare
    vi.useFakeTimers();
    vi.stubGlobal("fetch", stalledFetch());

    // Act
    const answer = api.services().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);

    // Assess
    const error = await answer;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 0,
      message: "the server did not answer within 20 seconds",
    });
  });

  it("stop at once, as an abort rather than a failure, when the page no longer needs them", async () => {
    // Prepare
    vi.stubGlobal("fetch", stalledFetch());
    const control = new AbortController();

    // Act
    const answer = api.series("t-mobile", {}, control.signal).catch((error: unknown) => error);
    control.abort();

    // Assess
    expect(isAbort(await answer)).toBe(true);
  });
});

describe("IncidentPages", () => {
  const START = Date.parse("2023-02-14T06:00:00Z");
  const MINUTE = 60_000;
  const incident = (service: string, minutesAgo: number) =>
    resolvedIncident(
      `${service}-${minutesAgo}`,
      service,
      new Date(START - minutesAgo * MINUTE).toISOString(),
    );
  /** Pages of two incidents, one every hour going back, `count` in all. */
  const pagesOf = (count: number) => {
    const all = Array.from({ length: count }, (_, i) => incident(i % 2 ? "a" : "b", i * 60));
    const page = (n: number) => ({
      incidents: all.slice(n * 2, n * 2 + 2),
      next: n * 2 + 2 < count ? String(n + 1) : null,
    });
    return { first: page(0), read: vi.fn(async (cursor: string) => page(Number(cursor))) };
  };

  it("reads further pages until they reach back before the chart, shared by all charts", async () => {
    // Prepare: 48 incidents over two days
    const { first, read } = pagesOf(48);
    const pages = new IncidentPages(first, read, 100);
    const chartFrom = START - 6 * 60 * MINUTE;

    // Act: three charts ask at once
    const [one, two] = await Promise.all([
      pages.since(chartFrom),
      pages.since(chartFrom),
      pages.since(chartFrom),
    ]);

    // Assess: up to an incident older than the chart's start minus the look-back, once
    const oldest = Date.parse(one.at(-1)?.startedAt ?? "");
    expect(oldest).toBeLessThan(chartFrom - LOOKBACK_MS);
    expect(Date.parse(one.at(-3)?.startedAt ?? "")).toBeGreaterThanOrEqual(chartFrom - LOOKBACK_MS);
    expect(two).toBe(one);
    expect(read).toHaveBeenCalledTimes(one.length / 2 - 1);
  });

  it("stops at the bound, and when a page fails", async () => {
    // Prepare
    const bounded = pagesOf(1000);
    const failing = pagesOf(1000);
    failing.read.mockRejectedValue(new Error("down"));

    // Act
    const few = await new IncidentPages(bounded.first, bounded.read, 3).since(0);
    const some = await new IncidentPages(failing.first, failing.read, 3).since(0);

    // Assess
    expect(few).toHaveLength(6);
    expect(bounded.read).toHaveBeenCalledTimes(2);
    expect(some).toHaveLength(2);
    expect(failing.read).toHaveBeenCalledTimes(1);
  });
});

describe("serviceZoneAside", () => {
  it("gives the service's wall time in brackets, with its date when that differs", () => {
    // Prepare: the tests run in UTC unless TZ says otherwise; the aside compares zones
    const peak = Date.parse("2023-02-14T03:20:00Z");
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

    // Act / Assess
    expect(serviceZoneAside(peak, zone)).toBe("");
    if (zone !== "America/New_York") {
      expect(serviceZoneAside(peak, "America/New_York")).toMatch(
        /^ \(10:20 p\.m\. ET( on Feb 13)?\)$/,
      );
    }
    expect(serviceZoneAside(peak, "Not/AZone")).toBe("");
  });
});

describe("crowdEvidence", () => {
  it("says how many reports came from how many networks", () => {
    expect(crowdEvidence({ counted: 1200, networks: 950 })).toBe("1,200 from 950 networks");
    expect(crowdEvidence({ counted: 10, networks: 1 })).toBe("10 from 1 network");
  });
});
