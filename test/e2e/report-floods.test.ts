/**
 * Floods of reports through the local server, behind a proxy of the user's
 * (`--trust-proxy`): forged X-Forwarded-For entries make no new reporters (one client
 * writing 1,000 invented addresses counts once, an entry that is not an address is
 * refused), and the addresses of one network count at most `reports.perNetwork`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { startTemporaryRuntime, type TemporaryRuntime } from "../support/temporary-runtime";

const config = parseConfig({
  services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier" }],
  // The limit is not this test's subject: high enough that every report reaches the store.
  reports: { ratePerMinute: 2_000, challenge: false, perNetwork: 10 },
});
/** 10:02 UTC: the reports land in the 10:00 bucket, which closes at 10:05. */
const T0 = Date.parse("2024-03-01T10:02:00Z");
let now = T0;

let started: TemporaryRuntime;

beforeAll(async () => {
  started = await startTemporaryRuntime({
    config,
    clock: { now: () => now },
    trustedProxies: { hops: 1 },
  });
});

afterAll(async () => {
  await started?.stop();
});

/** A report as the proxy passes it on: what the client wrote, then what the proxy saw. */
function throughProxy(clientWrote: string | null, proxySaw: string) {
  return fetch(`${started.url}/reports`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": clientWrote === null ? proxySaw : `${clientWrote}, ${proxySaw}`,
    },
    body: JSON.stringify({ service: "t-mobile", problem: "no-signal" }),
  });
}

describe("X-Forwarded-For behind one trusted proxy", () => {
  it("counts 1,000 forged entries from one client as one reporter", async () => {
    // Act: 1,000 invented addresses, each once, all from one client
    const statuses: number[] = [];
    const results: string[] = [];
    for (let i = 0; i < 1_000; i++) {
      const forged = `10.${(i >> 8) & 255}.${i & 255}.7`;
      const response = await throughProxy(forged, "198.51.100.7");
      statuses.push(response.status);
      results.push(((await response.json()) as { status: string }).status);
    }
    now = T0 + 5 * 60_000;
    const tick = await started.runtime.tick();
    now = T0;

    // Assess
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(results.filter((r) => r === "duplicate")).toHaveLength(999);
    expect(tick.collect.latest["t-mobile"]).toBe(1);
  });

  it("refuses an address the proxy did not see as an address", async () => {
    // Act
    const response = await fetch(`${started.url}/reports`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "<script>" },
      body: JSON.stringify({ service: "t-mobile", problem: "no-signal" }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toContain(
      'the client address "<script>" is not an IPv4 or IPv6 address',
    );
  });
});

describe("one network's addresses", () => {
  it("count at most perNetwork of 250 addresses of one /24", async () => {
    // Act: 250 addresses of 192.0.2.0/24, each reporting once, in the 10:05 bucket
    now = T0 + 5 * 60_000;
    const results: string[] = [];
    for (let i = 1; i <= 250; i++) {
      const response = await throughProxy(null, `192.0.2.${i}`);
      results.push(((await response.json()) as { status: string }).status);
    }
    now = T0 + 10 * 60_000;
    const tick = await started.runtime.tick();
    now = T0;

    // Assess
    expect(results.filter((r) => r === "accepted")).toHaveLength(10);
    expect(results.filter((r) => r === "capped")).toHaveLength(240);
    expect(tick.collect.latest["t-mobile"]).toBe(10);
  });
});
