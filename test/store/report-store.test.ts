/**
 * DynamoReportStore: crowd reports counted once per reporter and service per dedup
 * window (also when identical submissions race), in one write, and counted per problem
 * and bucket across shards.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import type { CrowdReport } from "../../lambdas/domain/ports";
import { DynamoReportStore, type ReportStoreOptions } from "../../lambdas/store/report-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

/** 10:00 UTC: the start of a 5-minute bucket. */
const T0 = Date.parse("2023-02-14T10:00:00Z");
const OPTIONS: ReportStoreOptions = {
  bucketMinutes: 5,
  dedupMinutes: 15,
  shards: 4,
  retentionDays: 90,
  perNetwork: 10,
};

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});

afterAll(async () => {
  await testTable?.close();
});

async function freshStore(options: ReportStoreOptions = OPTIONS): Promise<DynamoReportStore> {
  return new DynamoReportStore(await testTable.freshTable(), options);
}

/** A reporter as the API stores it: a hex hash standing for an address. */
function reporter(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 32);
}

/** A report; each reporter in a network of its own unless `network` is given. */
function report(at: number, overrides: Partial<CrowdReport> = {}): CrowdReport {
  const who = overrides.reporter ?? reporter("alice");
  return {
    service: "t-mobile",
    problem: "no-signal",
    reporter: who,
    network: `network-of-${who}`,
    at,
    ...overrides,
  };
}

/** Records a report as the API does. */
function submit(store: DynamoReportStore, r: CrowdReport) {
  return store.record(r);
}

describe("DynamoReportStore.record", () => {
  it("accepts a reporter's first report", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    const result = await submit(store, report(T0 + MINUTE_MS));

    // Assess
    expect(result).toBe("accepted");
    expect(await store.countBucket("t-mobile", T0)).toEqual({ "no-signal": 1 });
  });

  it("treats the same reporter and service again in the same bucket as a duplicate", async () => {
    // Prepare
    const store = await freshStore();
    await submit(store, report(T0 + MINUTE_MS));

    // Act: two minutes later, even naming another problem
    const again = await submit(store, report(T0 + 3 * MINUTE_MS, { problem: "mobile-internet" }));

    // Assess
    expect(again).toBe("duplicate");
    expect(await store.countBucket("t-mobile", T0)).toEqual({ "no-signal": 1 });
  });

  it("treats a report in a later bucket of the same window as a duplicate", async () => {
    // Prepare: 10:04 lands in the 10:00 bucket of the 10:00-10:15 window
    const store = await freshStore();
    await submit(store, report(T0 + 4 * MINUTE_MS));

    // Act: 10:07 (next bucket) and 10:14 (last bucket of the window)
    const nextBucket = await submit(store, report(T0 + 7 * MINUTE_MS));
    const lastBucket = await submit(store, report(T0 + 14 * MINUTE_MS));

    // Assess
    expect([nextBucket, lastBucket]).toEqual(["duplicate", "duplicate"]);
    expect(await store.countBucket("t-mobile", T0 + 5 * MINUTE_MS)).toEqual({});
    expect(await store.countBucket("t-mobile", T0 + 10 * MINUTE_MS)).toEqual({});
  });

  it("counts a reporter again in the next window, in the bucket of the new report", async () => {
    // Prepare: 10:14, the end of the first window
    const store = await freshStore();
    await submit(store, report(T0 + 14 * MINUTE_MS));

    // Act: 10:16 opens the next window; 11:00 is four windows on
    const nextWindow = await submit(store, report(T0 + 16 * MINUTE_MS));
    const muchLater = await submit(store, report(T0 + 60 * MINUTE_MS));

    // Assess
    expect([nextWindow, muchLater]).toEqual(["accepted", "accepted"]);
    expect(await store.countBucket("t-mobile", T0 + 10 * MINUTE_MS)).toEqual({ "no-signal": 1 });
    expect(await store.countBucket("t-mobile", T0 + 15 * MINUTE_MS)).toEqual({ "no-signal": 1 });
    expect(await store.countBucket("t-mobile", T0 + 60 * MINUTE_MS)).toEqual({ "no-signal": 1 });
  });

  it("accepts the same reporter for another service, and another reporter for the same one", async () => {
    // Prepare
    const store = await freshStore();
    await submit(store, report(T0 + MINUTE_MS));

    // Act
    const otherService = await submit(store, report(T0 + 2 * MINUTE_MS, { service: "verizon" }));
    const otherReporter = await submit(
      store,
      report(T0 + 2 * MINUTE_MS, { reporter: reporter("bob") }),
    );

    // Assess
    expect([otherService, otherReporter]).toEqual(["accepted", "accepted"]);
    expect(await store.countBucket("t-mobile", T0)).toEqual({ "no-signal": 2 });
    expect(await store.countBucket("verizon", T0)).toEqual({ "no-signal": 1 });
  });

  it("counts 20 concurrent identical submissions once", async () => {
    // Prepare
    const store = await freshStore();
    const r = report(T0 + 2 * MINUTE_MS);

    // Act
    const results = await Promise.all(Array.from({ length: 20 }, () => submit(store, r)));

    // Assess
    expect(results.filter((result) => result === "accepted")).toHaveLength(1);
    expect(results.filter((result) => result === "duplicate")).toHaveLength(19);
    expect(await store.countBucket("t-mobile", T0)).toEqual({ "no-signal": 1 });
  });

  it("keeps a reporter to one report over a long window of small buckets", async () => {
    // Prepare: 1-minute buckets and a 3-hour window (starting at 09:00 UTC)
    const store = await freshStore({ ...OPTIONS, bucketMinutes: 1, dedupMinutes: 180 });
    await submit(store, report(T0 - 60 * MINUTE_MS));

    // Act: 10:50 is inside the 09:00-12:00 window, 12:01 is in the next one
    const inside = await submit(store, report(T0 + 110 * MINUTE_MS));
    const outside = await submit(store, report(T0 + 121 * MINUTE_MS));

    // Assess
    expect(inside).toBe("duplicate");
    expect(outside).toBe("accepted");
  });

  it("refuses a window that buckets do not divide", async () => {
    // Act / Assess
    await expect(freshStore({ ...OPTIONS, dedupMinutes: 12 })).rejects.toThrow(/whole multiple/);
  });
});

describe("DynamoReportStore.record, one network", () => {
  /** `count` reporters of one network (say one /24), each reporting once at `at`. */
  function neighbours(count: number, at: number, overrides: Partial<CrowdReport> = {}) {
    return Array.from({ length: count }, (_, i) =>
      report(at, { reporter: reporter(`neighbour-${i}`), network: "one-network", ...overrides }),
    );
  }

  it("counts at most perNetwork of 250 reporters of one network, even all at once", async () => {
    // Prepare
    const store = await freshStore();

    // Act
    const results = await Promise.all(neighbours(250, T0 + MINUTE_MS).map((r) => submit(store, r)));

    // Assess
    expect(results.filter((result) => result === "accepted")).toHaveLength(10);
    expect(results.filter((result) => result === "capped")).toHaveLength(240);
    expect(await store.countBucket("t-mobile", T0)).toEqual({ "no-signal": 10 });
  });

  it("keeps a capped reporter a duplicate, and does not let repeats spend the share", async () => {
    // Prepare: one reporter tries 20 times, then 10 neighbours report, then an 11th
    const store = await freshStore({ ...OPTIONS, perNetwork: 11 });
    const [first, ...rest] = neighbours(12, T0 + MINUTE_MS);
    const repeats = await Promise.all(
      Array.from({ length: 20 }, () => submit(store, first as CrowdReport)),
    );
    const others = await Promise.all(rest.slice(0, 10).map((r) => submit(store, r)));

    // Act
    const twelfth = await submit(store, rest[10] as CrowdReport);
    const twelfthAgain = await submit(store, rest[10] as CrowdReport);

    // Assess
    expect(repeats.filter((result) => result === "accepted")).toHaveLength(1);
    expect(others.every((result) => result === "accepted")).toBe(true);
    expect([twelfth, twelfthAgain]).toEqual(["capped", "duplicate"]);
    expect(await store.countBucket("t-mobile", T0)).toEqual({ "no-signal": 11 });
  });

  it("gives each network, service and window a share of its own", async () => {
    // Prepare: one network's share spent on t-mobile in the 10:00 window
    const store = await freshStore({ ...OPTIONS, perNetwork: 2 });
    await Promise.all(neighbours(5, T0 + MINUTE_MS).map((r) => submit(store, r)));

    // Act
    const otherNetwork = await submit(
      store,
      report(T0 + MINUTE_MS, { reporter: reporter("x"), network: "another-network" }),
    );
    const otherService = await Promise.all(
      neighbours(2, T0 + MINUTE_MS, { service: "verizon" }).map((r) => submit(store, r)),
    );
    const nextWindow = await Promise.all(
      neighbours(2, T0 + 16 * MINUTE_MS).map((r) => submit(store, r)),
    );

    // Assess
    expect(otherNetwork).toBe("accepted");
    expect([...otherService, ...nextWindow]).toEqual(Array(4).fill("accepted"));
    expect(await store.countBucket("t-mobile", T0)).toEqual({ "no-signal": 3 });
  });
  it("leaves a report uncounted when the step after its network's counter fails", async () => {
    // Prepare: a table client whose writes after the counter fail, as a crash would
    const table = await testTable.freshTable();
    const failing = {
      ...table,
      client: {
        send: (command: { input: { UpdateExpression?: string } }) =>
          command.input.UpdateExpression?.startsWith("REMOVE")
            ? Promise.reject(new Error("the function stopped"))
            : table.client.send(command as never),
      },
    } as unknown as typeof table;
    const store = new DynamoReportStore(failing, OPTIONS);

    // Act
    const outcome = await submit(store, report(T0 + MINUTE_MS)).catch((e: Error) => e.message);
    const retried = await submit(store, report(T0 + MINUTE_MS)).catch((e: Error) => e.message);

    // Assess: never counted, never counted twice
    expect([outcome, retried]).toEqual(["the function stopped", "duplicate"]);
    expect(await new DynamoReportStore(table, OPTIONS).countBucket("t-mobile", T0)).toEqual({});
  });
});

describe("DynamoReportStore.networkSummary", () => {
  it("says how many reports counted in a span and from how many networks", async () => {
    // Prepare: 3 networks in the 10:00 window, one of them again at 10:20, one at 11:10
    const store = await freshStore({ ...OPTIONS, perNetwork: 2 });
    const of = (network: string, who: string, at: number) =>
      submit(store, report(at, { reporter: reporter(who), network }));
    await Promise.all([
      of("n1", "a", T0 + MINUTE_MS),
      of("n1", "b", T0 + MINUTE_MS),
      of("n1", "c", T0 + MINUTE_MS), // capped
      of("n2", "d", T0 + 2 * MINUTE_MS),
      of("n3", "e", T0 + 3 * MINUTE_MS),
      of("n1", "f", T0 + 20 * MINUTE_MS),
      of("n4", "g", T0 + 70 * MINUTE_MS),
      submit(store, report(T0 + MINUTE_MS, { service: "verizon", network: "n5" })),
    ]);

    // Act
    const firstHour = await store.networkSummary("t-mobile", T0, T0 + 60 * MINUTE_MS);
    const laterOnly = await store.networkSummary(
      "t-mobile",
      T0 + 60 * MINUTE_MS,
      T0 + 75 * MINUTE_MS,
    );

    // Assess
    expect(firstHour).toEqual({ counted: 5, networks: 3 });
    expect(laterOnly).toEqual({ counted: 1, networks: 1 });
  });
});

describe("DynamoReportStore.countBucket", () => {
  it("counts each problem across all shards and matches the reports accepted", async () => {
    // Prepare: 60 reporters spread over the 4 shards, three problem kinds, some repeating
    const store = await freshStore();
    const problems = ["no-signal", "mobile-internet", "phone-calls"];
    const reports = Array.from({ length: 60 }, (_, i) =>
      report(T0 + (i % 5) * MINUTE_MS, {
        reporter: reporter(`reporter-${i}`),
        problem: problems[i % 3] as string,
      }),
    );

    // Act
    const first = await Promise.all(reports.map((r) => submit(store, r)));
    const repeated = await Promise.all(
      reports.slice(0, 10).map((r) => submit(store, { ...r, at: r.at + 30_000 })),
    );
    const counts = await store.countBucket("t-mobile", T0);

    // Assess
    const accepted = first.filter((result) => result === "accepted").length;
    expect(accepted).toBe(60);
    expect(repeated.every((result) => result === "duplicate")).toBe(true);
    expect(counts).toEqual({ "no-signal": 20, "mobile-internet": 20, "phone-calls": 20 });
    expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(accepted);
  });

  it("counts only the asked bucket and service", async () => {
    // Prepare
    const store = await freshStore();
    await submit(store, report(T0 + MINUTE_MS, { reporter: reporter("a") }));
    await submit(store, report(T0 + 6 * MINUTE_MS, { reporter: reporter("b") }));
    await submit(
      store,
      report(T0 + 2 * MINUTE_MS, { reporter: reporter("c"), service: "verizon" }),
    );
    await submit(
      store,
      report(T0 + 2 * MINUTE_MS, { reporter: reporter("d"), service: "t-mobile-us" }),
    );

    // Act
    const counts = await store.countBucket("t-mobile", T0);
    const empty = await store.countBucket("t-mobile", T0 - 5 * MINUTE_MS);

    // Assess
    expect(counts).toEqual({ "no-signal": 1 });
    expect(empty).toEqual({});
  });

  it("gives the same numbers when a tick reads the bucket twice", async () => {
    // Prepare
    const store = await freshStore();
    for (let i = 0; i < 8; i++) {
      await submit(store, report(T0 + MINUTE_MS, { reporter: reporter(`r${i}`) }));
    }

    // Act
    const first = await store.countBucket("t-mobile", T0);
    const second = await store.countBucket("t-mobile", T0);

    // Assess
    expect(first).toEqual({ "no-signal": 8 });
    expect(second).toEqual(first);
  });
});

describe("DynamoReportStore.countBuckets", () => {
  it("counts several buckets in one read of their windows, as each would alone", async () => {
    // Prepare: reports in three buckets of one window and one of the next
    const store = await freshStore();
    const minutes = [1, 2, 6, 7, 8, 11, 16];
    for (const [i, minute] of minutes.entries()) {
      await submit(store, report(T0 + minute * MINUTE_MS, { reporter: reporter(`r${i}`) }));
    }
    const buckets = [0, 5, 10, 15].map((m) => T0 + m * MINUTE_MS);

    // Act
    const together = await store.countBuckets("t-mobile", buckets);
    const alone = await Promise.all(buckets.map((b) => store.countBucket("t-mobile", b)));

    // Assess
    expect(buckets.map((b) => together.get(b)?.problems)).toEqual(alone);
    expect(alone.map((c) => c["no-signal"] ?? 0)).toEqual([2, 3, 1, 1]);
  });
});
