/**
 * `GET /services/{id}/series` through real requests to the local runtime, for a service
 * whose feed failed for two buckets of the seeded day: those points say they are
 * partial and which source failed, the others say nothing of it, a rolled-up point that
 * holds one is partial too, and every answer matches the OpenAPI document's schema.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIso } from "../../lambdas/domain/buckets";
import { type SeededRuntime, startSeededRuntime } from "../support/seeded-runtime";

/** After T-Mobile's peak of 03:20, well before the newest buckets the first tick reads. */
const FAILED = ["2023-02-14T04:00:00Z", "2023-02-14T04:05:00Z"];

let seeded: SeededRuntime;
let validateSeries: ValidateFunction;

beforeAll(async () => {
  seeded = await startSeededRuntime({
    services: [
      {
        id: "t-mobile",
        name: "T-Mobile",
        category: "carrier",
        column: "t-mobile",
        failedBuckets: FAILED.map(parseIso),
      },
    ],
  });
  const document = await (await fetch(`${seeded.url}/openapi.json`)).json();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  validateSeries = ajv.compile(document.components.schemas.Series);
}, 60_000);

afterAll(async () => {
  await seeded?.stop();
});

type Point = {
  at: string;
  count: number | null;
  sources: Record<string, number>;
  partial?: true;
  failedSources?: string[];
};

/** The series answer, checked against the document. */
async function series(query = ""): Promise<{ bucketMinutes: number; points: Point[] }> {
  const response = await fetch(`${seeded.url}/services/t-mobile/series${query}`);
  expect(response.status).toBe(200);
  const body = await response.json();
  expect(validateSeries(body) ? [] : validateSeries.errors).toEqual([]);
  return body;
}

describe("GET /services/{id}/series, partial points", () => {
  it("marks the buckets a source failed for, with the source, and no others", async () => {
    // Act
    const { points } = await series();

    // Assess: the two buckets count the crowd's 0 without the feed, and say so
    const partial = points.filter((p) => p.partial);
    expect(partial).toEqual(
      FAILED.map((at) => expect.objectContaining({ at, count: 0, failedSources: ["replay"] })),
    );
    expect(partial.map((p) => p.sources)).toEqual([{ reports: 0 }, { reports: 0 }]);
    // Its neighbours are whole, and carry neither field
    const before = points.find((p) => p.at === "2023-02-14T03:55:00Z");
    expect(before?.count).toBeGreaterThan(0);
    expect(before).not.toHaveProperty("partial");
    expect(before).not.toHaveProperty("failedSources");
  });

  it("marks a rolled-up point that holds a partial bucket", async () => {
    // Act: a week, in 10-minute points
    const { bucketMinutes, points } = await series(
      "?from=2023-02-07T08:00:00Z&to=2023-02-14T06:00:00Z",
    );

    // Assess
    expect(bucketMinutes).toBe(10);
    expect(points.filter((p) => p.partial).map((p) => [p.at, p.failedSources])).toEqual([
      ["2023-02-14T04:00:00Z", ["replay"]],
    ]);
  });
});
