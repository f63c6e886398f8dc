/**
 * DynamoReportStore: crowd reports counted once per reporter and service within the
 * dedup window (also when identical submissions race), counted per problem across shards,
 * and a per-minute request counter for rate limiting.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketStart, MINUTE_MS } from "../../lambdas/domain/buckets";
import type { CrowdReport } from "../../lambdas/domain/ports";
import { DynamoReportStore, type ReportStoreOptions } from "../../lambdas/store/report-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

/** 10:00 UTC: the start of a 5-minute bucket. */
const T0 = Date.parse("2023-02-14T10:00:00Z");
const DEDUP_MS = 15 * MINUTE_MS;
const OPTIONS: ReportStoreOptions = { bucketMinutes: 5, shards: 4, retentionDays: 90 };

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

function report(at: number, overrides: Partial<CrowdReport> = {}): CrowdReport {
  return {
    service: "t-mobile",
    problem: "no-signal",
    reporter: reporter("alice"),
    at,
    ...overrides,
  };
}

/** Records a report in the bucket its time falls in, as the API does. */
function submit(
  store: DynamoReportStore,
  r: CrowdReport,
  dedupMs = DEDUP_MS,
  bucketMinutes = OPTIONS.bucketMinutes,
) {
  return store.record(r, bucketStart(r.at, bucketMinutes), dedupMs);
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

  it("treats a report in a later bucket still inside the window as a duplicate", async () => {
    // Prepare: 10:04 lands in the 10:00 bucket
    const store = await freshStore();
    await submit(store, report(T0 + 4 * MINUTE_MS));

    // Act: 10:07 (next bucket) and 10:18 (two buckets on, still within 15 minutes)
    const nextBucket = await submit(store, report(T0 + 7 * MINUTE_MS));
    const twoBucketsOn = await submit(store, report(T0 + 18 * MINUTE_MS));

    // Assess
    expect([nextBucket, twoBucketsOn]).toEqual(["duplicate", "duplicate"]);
    expect(await store.countBucket("t-mobile", T0 + 5 * MINUTE_MS)).toEqual({});
    expect(await store.countBucket("t-mobile", T0 + 15 * MINUTE_MS)).toEqual({});
  });

  it("finds the earlier report in whichever bucket of the window it fell", async () => {
    // Prepare: one reporter per earlier minute, each reporting once before 10:14
    const store = await freshStore();
    const minutes = [0, 1, 4, 5, 6, 9, 10, 11, 13];
    for (const minute of minutes) {
      await submit(store, report(T0 + minute * MINUTE_MS, { reporter: reporter(`m${minute}`) }));
    }

    // Act: each reports again at 10:14, less than 15 minutes after the first time
    const again = await Promise.all(
      minutes.map((minute) =>
        submit(store, report(T0 + 14 * MINUTE_MS, { reporter: reporter(`m${minute}`) })),
      ),
    );

    // Assess
    expect(again).toEqual(minutes.map(() => "duplicate"));
  });

  it("accepts the same reporter again once the window has passed", async () => {
    // Prepare: 10:01 in the 10:00 bucket
    const store = await freshStore();
    await submit(store, report(T0 + MINUTE_MS));

    // Act: 10:17 is 16 minutes on; the 10:00 bucket is still looked at but its report is older than the window
    const later = await submit(store, report(T0 + 17 * MINUTE_MS));
    const muchLater = await submit(store, report(T0 + 60 * MINUTE_MS));

    // Assess
    expect([later, muchLater]).toEqual(["accepted", "accepted"]);
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

  it("deduplicates over a long window of many small buckets (more than 100 earlier buckets)", async () => {
    // Prepare: 1-minute buckets and a 3-hour window, both allowed by the config
    const options = { ...OPTIONS, bucketMinutes: 1 };
    const store = await freshStore(options);
    const dedupMs = 180 * MINUTE_MS;
    await submit(store, report(T0), dedupMs, 1);

    // Act: 170 minutes later, inside the window; 181 minutes later, outside
    const inside = await submit(store, report(T0 + 170 * MINUTE_MS), dedupMs, 1);
    const outside = await submit(store, report(T0 + 181 * MINUTE_MS), dedupMs, 1);

    // Assess
    expect(inside).toBe("duplicate");
    expect(outside).toBe("accepted");
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

describe("DynamoReportStore.hit", () => {
  it("counts 1, 2, 3 within a minute and starts again at 1 in the next minute", async () => {
    // Prepare
    const store = await freshStore();
    const client = reporter("client:203.0.113.7");

    // Act
    const inMinute = [
      await store.hit(client, T0 + 1_000),
      await store.hit(client, T0 + 30_000),
      await store.hit(client, T0 + 59_999),
    ];
    const nextMinute = [await store.hit(client, T0 + 60_000), await store.hit(client, T0 + 61_000)];

    // Assess
    expect(inMinute).toEqual([1, 2, 3]);
    expect(nextMinute).toEqual([1, 2]);
  });

  it("counts each client separately", async () => {
    // Prepare
    const store = await freshStore();
    const a = reporter("client:203.0.113.7");
    const b = reporter("client:198.51.100.2");
    await store.hit(a, T0);
    await store.hit(a, T0 + 1000);

    // Act
    const first = await store.hit(b, T0 + 2000);

    // Assess
    expect(first).toBe(1);
  });

  it("counts concurrent requests without losing any", async () => {
    // Prepare
    const store = await freshStore();
    const client = reporter("client:203.0.113.7");

    // Act
    const totals = await Promise.all(
      Array.from({ length: 25 }, () => store.hit(client, T0 + 5000)),
    );

    // Assess
    expect([...totals].sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
});
