/**
 * DynamoIncidentStore: incidents by id, listed newest first with an opaque cursor, and
 * never rolled back by a late write.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS } from "../../lambdas/domain/buckets";
import { type Incident, type IncidentSummary, incidentId } from "../../lambdas/domain/incident";
import { InvalidCursorError } from "../../lambdas/domain/ports";
import { DynamoIncidentStore } from "../../lambdas/store/incident-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const T0 = Date.parse("2023-02-14T01:50:00Z");
const HOUR_MS = 60 * MINUTE_MS;

let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});

afterAll(async () => {
  await testTable?.close();
});

async function freshStore(): Promise<DynamoIncidentStore> {
  return new DynamoIncidentStore(await testTable.freshTable(), 90);
}

function incident(service: string, startedAt: number, overrides: Partial<Incident> = {}): Incident {
  return {
    id: incidentId(service, startedAt),
    service,
    startedAt,
    openedAt: startedAt + 10 * MINUTE_MS,
    countAtOpen: 950,
    baselineAtOpen: 40,
    peak: { count: 83_412, at: startedAt + 90 * MINUTE_MS },
    falloffs: [],
    resolvedAt: null,
    correlatedWith: [],
    ...overrides,
  };
}

function summary(text: string): IncidentSummary {
  return { subject: `Outage: ${text}`, text, sms: text.slice(0, 160) };
}

describe("DynamoIncidentStore.put and get", () => {
  it("gets back by id exactly what was put", async () => {
    // Prepare
    const store = await freshStore();
    const stored = incident("t-mobile", T0, {
      falloffs: [{ at: T0 + 3 * HOUR_MS, count: 9040 }],
      correlatedWith: ["verizon", "att"],
    });
    const text = summary("reports of T-Mobile outages peaked at more than 83,000");

    // Act
    await store.put(stored, text, T0 + 90 * MINUTE_MS);
    const got = await store.get(stored.id);

    // Assess
    expect(got).toEqual({ incident: stored, summary: text });
  });

  it("tells apart incidents of two services that started in the same bucket", async () => {
    // Prepare
    const store = await freshStore();
    const tmobile = incident("t-mobile", T0);
    const verizon = incident("verizon", T0, { countAtOpen: 120 });

    // Act
    await store.put(tmobile, summary("T-Mobile"), T0);
    await store.put(verizon, summary("Verizon"), T0);

    // Assess
    expect((await store.get(tmobile.id))?.incident).toEqual(tmobile);
    expect((await store.get(verizon.id))?.incident).toEqual(verizon);
  });

  it("gives null for an id that was never stored", async () => {
    // Prepare
    const store = await freshStore();
    await store.put(incident("t-mobile", T0), summary("T-Mobile"), T0);

    // Act
    const otherTime = await store.get(incidentId("t-mobile", T0 + 5 * MINUTE_MS));
    const otherService = await store.get(incidentId("verizon", T0));

    // Assess
    expect(otherTime).toBeNull();
    expect(otherService).toBeNull();
  });

  it.each([
    "",
    "t-mobile",
    "T-Mobile-20230214T0150Z",
    "t-mobile-2023-02-14T01:50Z",
    "t-mobile-20231399T9999Z",
    "../etc/passwd",
  ])("gives null for the malformed id %j instead of throwing", async (id) => {
    // Prepare
    const store = await freshStore();
    await store.put(incident("t-mobile", T0), summary("T-Mobile"), T0);

    // Act
    const got = await store.get(id);

    // Assess
    expect(got).toBeNull();
  });

  it("ignores a put older than the stored one, so a late tick cannot roll it back", async () => {
    // Prepare: resolved as of 07:15
    const store = await freshStore();
    const resolved = incident("t-mobile", T0, { resolvedAt: T0 + 5 * HOUR_MS });
    await store.put(resolved, summary("resolved"), T0 + 5 * HOUR_MS);

    // Act: a late tick still sees it open as of an earlier bucket
    await store.put(incident("t-mobile", T0), summary("still open"), T0 + 2 * HOUR_MS);

    // Assess
    expect(await store.get(resolved.id)).toEqual({
      incident: resolved,
      summary: summary("resolved"),
    });
  });

  it("applies a newer put over the stored one", async () => {
    // Prepare
    const store = await freshStore();
    await store.put(incident("t-mobile", T0), summary("open"), T0 + HOUR_MS);
    const resolved = incident("t-mobile", T0, {
      resolvedAt: T0 + 5 * HOUR_MS,
      peak: { count: 90_000, at: T0 + 2 * HOUR_MS },
    });

    // Act
    await store.put(resolved, summary("resolved"), T0 + 5 * HOUR_MS);

    // Assess
    expect(await store.get(resolved.id)).toEqual({
      incident: resolved,
      summary: summary("resolved"),
    });
  });

  it("applies a re-run of the same tick (same asOf), so a retried write is harmless", async () => {
    // Prepare
    const store = await freshStore();
    await store.put(incident("t-mobile", T0), summary("first try"), T0 + HOUR_MS);

    // Act
    await store.put(incident("t-mobile", T0), summary("retry"), T0 + HOUR_MS);

    // Assess
    expect((await store.get(incidentId("t-mobile", T0)))?.summary).toEqual(summary("retry"));
  });
});

describe("DynamoIncidentStore.list", () => {
  /** Seven incidents of three services, one every 6 hours, written out of order. */
  async function seeded() {
    const store = await freshStore();
    const services = ["t-mobile", "verizon", "att"];
    const all = Array.from({ length: 7 }, (_, i) =>
      incident(services[i % 3] as string, T0 + i * 6 * HOUR_MS),
    );
    for (const i of [3, 0, 6, 1, 5, 2, 4]) {
      const one = all[i] as Incident;
      await store.put(one, summary(one.id), one.openedAt);
    }
    const newestFirst = [...all].reverse().map((one) => one.id);
    return { store, all, newestFirst };
  }

  it("lists newest first", async () => {
    // Prepare
    const { store, newestFirst } = await seeded();

    // Act
    const page = await store.list({ limit: 50 });

    // Assess
    expect(page.items.map((item) => item.incident.id)).toEqual(newestFirst);
    expect(page.next).toBeNull();
  });

  it("returns each incident with its summary", async () => {
    // Prepare
    const { store, all } = await seeded();

    // Act
    const page = await store.list({ limit: 1 });

    // Assess
    const newest = all[all.length - 1] as Incident;
    expect(page.items).toEqual([{ incident: newest, summary: summary(newest.id) }]);
  });

  it("pages with `limit` and `next`, visiting every incident exactly once", async () => {
    // Prepare
    const { store, newestFirst } = await seeded();
    const seen: string[] = [];
    const pageSizes: number[] = [];

    // Act
    let after: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const page = await store.list({ limit: 3, ...(after === undefined ? {} : { after }) });
      pageSizes.push(page.items.length);
      seen.push(...page.items.map((item) => item.incident.id));
      if (page.next === null) break;
      after = page.next;
    }

    // Assess
    expect(seen).toEqual(newestFirst);
    expect(pageSizes).toEqual([3, 3, 1]);
  });

  it("gives no `next` when the last page is exactly full", async () => {
    // Prepare
    const { store, newestFirst } = await seeded();

    // Act
    const first = await store.list({ limit: 4 });
    const second = await store.list({ limit: 3, after: first.next ?? "missing" });

    // Assess
    expect(first.next).not.toBeNull();
    expect(second.items.map((item) => item.incident.id)).toEqual(newestFirst.slice(4));
    expect(second.next).toBeNull();
  });

  it("keeps to `fromMs` and `toMs`, both inclusive, by start time", async () => {
    // Prepare: incidents start at T0 + 0h, 6h, ..., 36h
    const { store, all } = await seeded();
    const ids = (indexes: number[]) => indexes.map((i) => (all[i] as Incident).id);

    // Act
    const between = await store.list({
      fromMs: T0 + 6 * HOUR_MS,
      toMs: T0 + 24 * HOUR_MS,
      limit: 50,
    });
    const fromOnly = await store.list({ fromMs: T0 + 25 * HOUR_MS, limit: 50 });
    const toOnly = await store.list({ toMs: T0 + 6 * HOUR_MS - 1, limit: 50 });
    const none = await store.list({ fromMs: T0 + 40 * HOUR_MS, limit: 50 });

    // Assess
    expect(between.items.map((item) => item.incident.id)).toEqual(ids([4, 3, 2, 1]));
    expect(fromOnly.items.map((item) => item.incident.id)).toEqual(ids([6, 5]));
    expect(toOnly.items.map((item) => item.incident.id)).toEqual(ids([0]));
    expect(none).toEqual({ items: [], next: null });
  });

  it("pages within a time range without leaving it", async () => {
    // Prepare
    const { store, all } = await seeded();
    const range = { fromMs: T0 + 6 * HOUR_MS, toMs: T0 + 30 * HOUR_MS };

    // Act
    const first = await store.list({ ...range, limit: 2 });
    const second = await store.list({ ...range, limit: 2, after: first.next ?? "missing" });
    const third = await store.list({ ...range, limit: 2, after: second.next ?? "missing" });

    // Assess
    const ids = [first, second, third].flatMap((page) => page.items.map((i) => i.incident.id));
    expect(ids).toEqual([5, 4, 3, 2, 1].map((i) => (all[i] as Incident).id));
    expect(third.next).toBeNull();
  });

  it("refuses a cursor pointing outside from/to, as DynamoDB would refuse its start key", async () => {
    // Prepare: a cursor into the older incidents, sent with a range that ends before it
    const { store } = await seeded();
    const page = await store.list({ limit: 5 });

    // Act
    const listing = store.list({ fromMs: T0 + 36 * HOUR_MS, limit: 3, after: page.next ?? "" });

    // Assess
    await expect(listing).rejects.toThrow(/cursor is not valid: it points outside from\/to/);
  });

  it.each([
    "garbage",
    "not base64 at all!",
    Buffer.from("INC#2023-02-14T01:50:00Z", "utf8").toString("base64url"),
    Buffer.from('{"pk":"OUTBOX"}', "utf8").toString("base64url"),
  ])("rejects the cursor %j with InvalidCursorError", async (cursor) => {
    // Prepare
    const { store } = await seeded();

    // Act
    const listing = store.list({ limit: 3, after: cursor });

    // Assess
    await expect(listing).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
