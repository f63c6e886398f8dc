/**
 * Tick leases on dynalite: of two ticks of one kind that overlap, one works and the other
 * skips; the lease is given back when a tick ends or fails, and a crashed holder's lease
 * runs out on its own.
 */
import middy from "@middy/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTickSkipped, oneTickAtATime } from "../../lambdas/handlers/one-tick-at-a-time";
import { DynamoTickLeaseStore } from "../../lambdas/store/tick-lease-store";
import { localContext } from "../../local/lambda-context";
import { startTestTable, type TestTable } from "../support/embedded-table";

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

/** A handler that waits until `release` is called, counting the ticks that ran. */
function gatedTick(leases: DynamoTickLeaseStore, now: () => number) {
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const ran: number[] = [];
  const handler = middy(async (event: { n: number; fail?: boolean }) => {
    ran.push(event.n);
    await gate;
    if (event.fail) throw new Error("tick failed");
    return { n: event.n };
  }).use(oneTickAtATime("collect", () => leases, now));
  return {
    handler,
    ran,
    release() {
      open();
      gate = Promise.resolve();
    },
  };
}

describe("oneTickAtATime", () => {
  it("lets one of two overlapping ticks work and the other skip", async () => {
    // Prepare
    const leases = new DynamoTickLeaseStore(await table.freshTable());
    const tick = gatedTick(leases, Date.now);

    // Act: the second tick starts while the first still runs
    const first = tick.handler({ n: 1 }, localContext("outcry-collect"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await tick.handler({ n: 2 }, localContext("outcry-collect"));
    tick.release();

    // Assess
    expect(await first).toEqual({ n: 1 });
    expect(second).toEqual({ skipped: "another collect tick is running" });
    expect(isTickSkipped(second)).toBe(true);
    expect(tick.ran).toEqual([1]);
    // Given back: the next tick works.
    expect(await tick.handler({ n: 3 }, localContext("outcry-collect"))).toEqual({ n: 3 });
  });

  it("gives the lease back when a tick fails, and the failure still fails the invocation", async () => {
    const leases = new DynamoTickLeaseStore(await table.freshTable());
    const tick = gatedTick(leases, Date.now);
    tick.release();
    await expect(
      tick.handler({ n: 1, fail: true }, localContext("outcry-collect")),
    ).rejects.toThrow("tick failed");
    expect(await tick.handler({ n: 2 }, localContext("outcry-collect"))).toEqual({ n: 2 });
  });

  it("lets the next tick work once a crashed holder's lease has run out", async () => {
    // Prepare: a holder took the lease for 60 s and never gave it back
    const leases = new DynamoTickLeaseStore(await table.freshTable());
    const start = Date.parse("2024-01-01T00:00:00Z");
    expect(await leases.acquire("collect", "crashed", start, start + 60_000)).toBe(true);
    let now = start + 30_000;
    const tick = gatedTick(leases, () => now);
    tick.release();

    // Act + Assess: within its lease the tick skips; after it, the tick works
    expect(await tick.handler({ n: 1 }, localContext("outcry-collect", 50_000))).toEqual({
      skipped: "another collect tick is running",
    });
    now = start + 60_000;
    expect(await tick.handler({ n: 2 }, localContext("outcry-collect", 50_000))).toEqual({ n: 2 });
  });

  it("keeps a lease only for the invocation's remaining time, and leases of kinds apart", async () => {
    const leases = new DynamoTickLeaseStore(await table.freshTable());
    const at = Date.parse("2024-01-01T00:00:00Z");
    expect(await leases.acquire("collect", "a", at, at + 50_000)).toBe(true);
    expect(await leases.acquire("detect", "b", at, at + 50_000)).toBe(true);
    expect(await leases.acquire("collect", "c", at + 49_999, at + 99_999)).toBe(false);
    // A late release by the first holder does not free the lease its successor took.
    expect(await leases.acquire("collect", "c", at + 50_000, at + 100_000)).toBe(true);
    await leases.release("collect", "a");
    expect(await leases.acquire("collect", "d", at + 60_000, at + 110_000)).toBe(false);
  });
});
