/**
 * What status sources state, through collect on dynalite: an incident is recorded when a
 * read first states it, costs nothing while it is stated again or while the page answers
 * 304, and is ended once when a fresh read no longer states it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE_MS, parseIso } from "../../lambdas/domain/buckets";
import { parseConfig } from "../../lambdas/domain/config";
import type { CountSource, SourceReading, StatedIncident } from "../../lambdas/domain/count-source";
import { collectCounts } from "../../lambdas/usecases/collect-counts";
import { startTestTable, type TestTable } from "../support/embedded-table";
import { pipelineOn } from "./pipeline-fixture";

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.close());

const NOW = parseIso("2024-05-01T12:01:00Z");
const outage: StatedIncident = {
  key: "inc-1",
  title: "API errors",
  startedAt: parseIso("2024-05-01T11:40:00Z"),
  scopes: ["api"],
};

/** A status source whose next reads answer `readings` in turn (`undefined` stated: a 304). */
function scripted(readings: (StatedIncident[] | undefined)[]) {
  let read = 0;
  return {
    id: "status",
    weight: 0,
    async read(request: { buckets: readonly number[] }): Promise<SourceReading> {
      const stated = readings[read++];
      return {
        counts: request.buckets.map(() => null),
        memory: { etag: `"${read}"` },
        ...(stated ? { stated } : {}),
      };
    },
  } satisfies CountSource;
}

describe("collect and stated incidents", () => {
  it("records a stated incident once, carries it over a 304, and ends it once", async () => {
    // Prepare
    const config = parseConfig({ services: [{ id: "vendor", name: "Vendor", category: "app" }] });
    const { deps } = await pipelineOn(table, config);
    const source = scripted([[outage], undefined, [outage], [], []]);
    const collect = { ...deps.collect, sourcesFor: () => [source] };
    const stated = deps.collect.stated;
    if (!stated) throw new Error("the wiring gives collect no stated-incident store");
    const writes: string[] = [];
    const counting = {
      record: (...args: Parameters<typeof stated.record>) => {
        writes.push(
          `${args[2].map((i) => `+${i.key}`).join()}${args[3].map((k) => `-${k}`).join()}`,
        );
        return stated.record(...args);
      },
      recent: stated.recent.bind(stated),
    };

    // Act: five ticks
    const seen = [];
    for (let tick = 0; tick < 5; tick++) {
      await collectCounts({ ...collect, stated: counting }, NOW + tick * MINUTE_MS);
      seen.push((await stated.recent(0)).map((r) => ({ key: r.key, ended: r.clearedAt !== null })));
    }

    // Assess: one write to state it, one to end it
    expect(writes).toEqual(["+inc-1", "-inc-1"]);
    expect(seen).toEqual([
      [{ key: "inc-1", ended: false }],
      [{ key: "inc-1", ended: false }],
      [{ key: "inc-1", ended: false }],
      [{ key: "inc-1", ended: true }],
      [{ key: "inc-1", ended: true }],
    ]);
  });
});
