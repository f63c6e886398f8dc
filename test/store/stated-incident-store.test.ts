/**
 * DynamoStatedIncidentStore on dynalite: what providers' sources state, kept from its
 * first statement, ended once when it is no longer stated, and read back while stated or
 * lately ended.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatedIncident } from "../../lambdas/domain/count-source";
import { DynamoStatedIncidentStore } from "../../lambdas/store/stated-incident-store";
import { startTestTable, type TestTable } from "../support/embedded-table";

const at = (iso: string) => Date.parse(iso);
let testTable: TestTable;

beforeAll(async () => {
  testTable = await startTestTable();
});
afterAll(async () => testTable?.close());

const ec2: StatedIncident = {
  key: "arn:aws:health:us-east-1::event/EC2/1",
  title: "Increased API Error Rates",
  startedAt: at("2023-02-14T01:30:00Z"),
  scopes: ["us-east-1", "ec2"],
  where: "us-east-1",
};

describe("DynamoStatedIncidentStore", () => {
  it("keeps the first start when stated again, ends a record once, and reads what is recent", async () => {
    // Prepare
    const store = new DynamoStatedIncidentStore(await testTable.freshTable(), 30);
    const now = at("2023-02-14T02:00:00Z");

    // Act: stated, stated again with a later start, then no longer stated twice
    await store.record("aws", "aws-health", [ec2], [], now);
    await store.record("aws", "aws-health", [{ ...ec2, startedAt: now }], [], now);
    const open = await store.recent(now - 60_000);
    await store.record("aws", "aws-health", [], [ec2.key], at("2023-02-14T05:00:00Z"));
    await store.record("aws", "aws-health", [], [ec2.key], at("2023-02-14T06:00:00Z"));
    // An end for something never stated creates nothing.
    await store.record("aws", "aws-health", [], ["never"], now);

    // Assess
    expect(open).toEqual([
      {
        service: "aws",
        source: "aws-health",
        key: ec2.key,
        title: ec2.title,
        scopes: ec2.scopes,
        where: "us-east-1",
        startedAt: ec2.startedAt,
        clearedAt: null,
      },
    ]);
    const ended = await store.recent(at("2023-02-14T04:00:00Z"));
    expect(ended.map((r) => r.clearedAt)).toEqual([at("2023-02-14T05:00:00Z")]);
    expect(await store.recent(at("2023-02-14T05:30:00Z"))).toEqual([]);
  });

  it("states an incident again after it ended, from its first start", async () => {
    // Prepare
    const store = new DynamoStatedIncidentStore(await testTable.freshTable(), 30);

    // Act
    await store.record("gcp", "gcp-status", [{ ...ec2, where: undefined }], [], ec2.startedAt);
    await store.record("gcp", "gcp-status", [], [ec2.key], ec2.startedAt + 60_000);
    await store.record("gcp", "gcp-status", [ec2], [], ec2.startedAt + 120_000);

    // Assess
    const [record] = await store.recent(0);
    expect(record).toMatchObject({ clearedAt: null, startedAt: ec2.startedAt });
  });
});
