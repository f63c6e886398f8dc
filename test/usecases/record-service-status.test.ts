/**
 * The statuses detect records for `GET /services`, through real detect ticks on dynalite:
 * written only when a status changes (writes counted at the SDK boundary), always what
 * the saved detector state stands for, and put right by a new container when the records
 * are missing.
 */
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { initialDetectorState } from "../../lambdas/domain/detector";
import { type StatusRecord, statusOf } from "../../lambdas/domain/service-status";
import { createDocumentClient } from "../../lambdas/store/client";
import { DynamoSeriesStore } from "../../lambdas/store/series-store";
import { DynamoServiceStatusStore, statusShard } from "../../lambdas/store/service-status-store";
import { detectIncidents } from "../../lambdas/usecases/detect-incidents";
import { recordServiceStatus } from "../../lambdas/usecases/record-service-status";
import { buildDependencies } from "../../lambdas/wiring/dependencies";
import { countedClient } from "../support/counted-client";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { BUCKET_MS, surgeCount, T0, tickAfter } from "../support/surge-series";

const SERVICES = ["t-mobile", "verizon"];
const config = parseConfig({
  services: SERVICES.map((id) => ({ id, name: id, category: "carrier" })),
});

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

async function pipeline() {
  const { tableName } = await table.freshTable();
  const { client, sent } = countedClient(table.store.endpoint);
  const settings = {
    config,
    tableName,
    notifiers: () => [],
    salt: async () => "salt",
    now: () => T0,
  };
  const series = new DynamoSeriesStore({ client, tableName }, 30);
  for (let index = 0; index < 60; index++) {
    for (const service of SERVICES) {
      await series.putCount(service, "reports", T0 + index * BUCKET_MS, surgeCount(service, index));
    }
  }
  /** Another container on the same table: its own stores, and its own memory. */
  const container = () => buildDependencies({ ...settings, client });
  return { tableName, client, sent, container };
}

const statusWrites = (sent: { command: string; partitions: string[] }[]) =>
  sent.filter((r) => r.command === "PutItem" && r.partitions[0]?.startsWith("ST#"));

describe("recordServiceStatus in detect", () => {
  it("writes a status only when it changes, and always what the saved state stands for", async () => {
    // Prepare
    const { sent, container } = await pipeline();
    const deps = container();
    const observed = new Map<string, StatusRecord[]>(SERVICES.map((s) => [s, []]));

    // Act: a tick every bucket through the surge and well after it
    sent.length = 0;
    for (let index = 20; index < 60; index++) {
      await detectIncidents(deps.detect, tickAfter(index));
      const records = await deps.api.statuses.readMany(SERVICES);
      for (const service of SERVICES) {
        const { state } = await deps.detect.states.load(service);
        const record = records.get(service);
        const shown = record
          ? { status: record.status, openIncident: record.openIncident }
          : statusOf(null);
        // What the listing shows is what the saved state stands for, after every tick.
        expect(shown).toEqual(statusOf(state));
        observed.get(service)?.push(shown);
      }
    }

    // Assess: one write per change, none for the service that stayed normal
    const changes = (history: StatusRecord[]) =>
      history.filter(
        (r, i) => JSON.stringify(r) !== JSON.stringify(history[i - 1] ?? statusOf(null)),
      ).length;
    const writes = statusWrites(sent);
    const tmobile = observed.get("t-mobile") ?? [];
    expect(tmobile.map((r) => r.status)).toContain("outage");
    expect(tmobile.at(-1)?.status).toBe("normal");
    expect(changes(tmobile)).toBeGreaterThanOrEqual(2);
    expect(writes).toHaveLength(changes(tmobile));
    expect(writes.every((w) => w.partitions[0] === `ST#${statusShard("t-mobile")}`)).toBe(true);
    expect(changes(observed.get("verizon") ?? [])).toBe(0);
    // 40 ticks saved 80 states; the statuses cost a handful of writes.
    expect(
      sent.filter((r) => r.command === "PutItem" && r.partitions[0]?.startsWith("D#")).length,
    ).toBe(80);
  });

  it("writes the records a new container finds missing, for the services not normal only", async () => {
    // Prepare: ticks into T-Mobile's outage, then the records lost (an older release
    // wrote none)
    const { sent, container, client, tableName } = await pipeline();
    const first = container();
    for (let index = 20; index < 27; index++) await detectIncidents(first.detect, tickAfter(index));
    expect((await first.api.statuses.readMany(["t-mobile"])).get("t-mobile")?.status).toBe(
      "outage",
    );
    for (const service of SERVICES) {
      await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: `ST#${statusShard(service)}`, sk: service },
        }),
      );
    }

    // Act: the same container goes on, then a new one takes over
    sent.length = 0;
    await detectIncidents(first.detect, tickAfter(27));
    const sameContainer = statusWrites(sent).length;
    const second = container();
    await detectIncidents(second.detect, tickAfter(28));
    const afterNewContainer = await second.api.statuses.readMany(SERVICES);
    sent.length = 0;
    await detectIncidents(second.detect, tickAfter(29));

    // Assess
    expect(sameContainer).toBe(0);
    expect(afterNewContainer.get("t-mobile")?.status).toBe("outage");
    expect(afterNewContainer.has("verizon")).toBe(false);
    expect(statusWrites(sent)).toHaveLength(0);
  });

  it("writes nothing when a tick fails before saving, so the next one writes it again", async () => {
    // Prepare: a store whose writes fail once
    const client = createDocumentClient({ endpoint: table.store.endpoint });
    const { tableName } = await table.freshTable();
    const store = new DynamoServiceStatusStore({ client, tableName });
    let failures = 1;
    const failing = {
      record: async (...args: Parameters<DynamoServiceStatusStore["record"]>) => {
        if (failures-- > 0) throw new Error("throttled");
        return store.record(...args);
      },
      readMany: store.readMany.bind(store),
      listByStatus: store.listByStatus.bind(store),
    };
    const incident = {
      id: "t-mobile-20240101T0200Z",
      service: "t-mobile",
      startedAt: T0,
      openedAt: T0,
      countAtOpen: 900,
      baselineAtOpen: 10,
      peak: { count: 900, at: T0 },
      falloffs: [],
      resolvedAt: null,
      correlatedWith: [],
    };
    const after = { ...initialDetectorState(), lastBucket: T0, incident };
    const change = [{ service: "t-mobile", before: null, after }];

    // Act
    const failed = await recordServiceStatus({ statuses: failing }, change).catch(
      (error: Error) => error.message,
    );
    const retried = await recordServiceStatus({ statuses: failing }, change);

    // Assess
    expect(failed).toBe("throttled");
    expect(retried).toEqual(["t-mobile"]);
    expect((await store.readMany(["t-mobile"])).get("t-mobile")?.openIncident).toBe(incident.id);
  });
});
