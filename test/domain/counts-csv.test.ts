import { describe, expect, it } from "vitest";
import { CountsCsvError, parseCountsCsv } from "../../lambdas/domain/counts-csv";

const HEADER = "timestamp,service,count";
const at = (iso: string) => Date.parse(iso);

/** A CSV from rows of `[timestamp, service, count]`. */
function csv(rows: readonly (readonly [string, string, string | number])[]): string {
  return `${[HEADER, ...rows.map((row) => row.join(","))].join("\n")}\n`;
}

/** Rows of one service every `minutes` minutes from `fromIso`. */
function every(
  minutes: number,
  fromIso: string,
  counts: readonly number[],
  service = "t-mobile",
): [string, string, number][] {
  return counts.map((count, i) => [
    new Date(at(fromIso) + i * minutes * 60_000).toISOString().replace(".000Z", "Z"),
    service,
    count,
  ]);
}

/** The CountsCsvError thrown for `text`; fails the test when it parses. */
function errorOf(text: string): CountsCsvError {
  try {
    parseCountsCsv(text, "counts.csv");
  } catch (error) {
    expect(error).toBeInstanceOf(CountsCsvError);
    return error as CountsCsvError;
  }
  throw new Error("expected the CSV to be rejected");
}

describe("parseCountsCsv on good input", () => {
  it("returns one sorted series per service, in order of first appearance", () => {
    // Prepare
    const text = csv([
      ["2023-02-14T03:20:00Z", "t-mobile", 83412],
      ["2023-02-14T03:20:00Z", "verizon", 2000],
      ["2023-02-14T03:25:00Z", "t-mobile", 80000],
      ["2023-02-14T03:25:00Z", "verizon", 2034],
    ]);

    // Act
    const series = parseCountsCsv(text, "counts.csv");

    // Assess
    expect(series).toEqual([
      {
        service: "t-mobile",
        bucketMinutes: 5,
        times: [at("2023-02-14T03:20:00Z"), at("2023-02-14T03:25:00Z")],
        counts: [83412, 80000],
      },
      {
        service: "verizon",
        bucketMinutes: 5,
        times: [at("2023-02-14T03:20:00Z"), at("2023-02-14T03:25:00Z")],
        counts: [2000, 2034],
      },
    ]);
  });

  it("accepts a byte-order mark, CRLF line ends, blank lines and zero counts", () => {
    // Prepare
    const text = `\uFEFF${HEADER}\r\n2023-02-14T03:20:00Z,att,0\r\n\r\n2023-02-14T03:25:00Z,att,7\r\n`;

    // Act
    const [att] = parseCountsCsv(text);

    // Assess
    expect(att?.counts).toEqual([0, 7]);
    expect(att?.times).toEqual([at("2023-02-14T03:20:00Z"), at("2023-02-14T03:25:00Z")]);
  });

  it("reads timestamps with a UTC offset as the same instant", () => {
    // Prepare
    const text = csv([
      ["2023-02-13T22:20:00-05:00", "t-mobile", 1],
      ["2023-02-14T03:25:00Z", "t-mobile", 2],
    ]);

    // Act
    const [series] = parseCountsCsv(text);

    // Assess
    expect(series?.times).toEqual([at("2023-02-14T03:20:00Z"), at("2023-02-14T03:25:00Z")]);
  });

  it("sorts unsorted rows by time, keeping each count with its timestamp", () => {
    // Prepare
    const text = csv([
      ["2023-02-14T03:30:00Z", "att", 30],
      ["2023-02-14T03:20:00Z", "att", 10],
      ["2023-02-14T03:35:00Z", "att", 35],
      ["2023-02-14T03:25:00Z", "att", 20],
    ]);

    // Act
    const [att] = parseCountsCsv(text);

    // Assess
    expect(att?.times.map((t) => new Date(t).toISOString())).toEqual([
      "2023-02-14T03:20:00.000Z",
      "2023-02-14T03:25:00.000Z",
      "2023-02-14T03:30:00.000Z",
      "2023-02-14T03:35:00.000Z",
    ]);
    expect(att?.counts).toEqual([10, 20, 30, 35]);
  });

  it("keeps a missing row as a gap instead of filling a zero", () => {
    // Prepare: 03:30 and 03:35 are missing
    const text = csv([
      ["2023-02-14T03:20:00Z", "att", 10],
      ["2023-02-14T03:25:00Z", "att", 11],
      ["2023-02-14T03:40:00Z", "att", 12],
      ["2023-02-14T03:45:00Z", "att", 13],
    ]);

    // Act
    const [att] = parseCountsCsv(text);

    // Assess
    expect(att?.bucketMinutes).toBe(5);
    expect(att?.counts).toEqual([10, 11, 12, 13]);
    expect(att?.times).toEqual([
      at("2023-02-14T03:20:00Z"),
      at("2023-02-14T03:25:00Z"),
      at("2023-02-14T03:40:00Z"),
      at("2023-02-14T03:45:00Z"),
    ]);
  });

  it.each([1, 5, 10, 15])("infers a %i-minute bucket width, even across a gap", (minutes) => {
    // Prepare: five rows, then one bucket skipped, then two more
    const rows = every(minutes, "2023-02-14T03:00:00Z", [1, 2, 3, 4, 5, 0, 7, 8]);
    rows.splice(5, 1);
    const text = csv(rows);

    // Act
    const [series] = parseCountsCsv(text);

    // Assess
    expect(series?.bucketMinutes).toBe(minutes);
    expect(series?.counts).toEqual([1, 2, 3, 4, 5, 7, 8]);
  });

  it("infers the width of each service on its own", () => {
    // Prepare: one-minute reports and 15-minute status counts, interleaved
    const rows = [
      ...every(1, "2023-02-14T03:00:00Z", [1, 2, 3, 4], "reports-only"),
      ...every(15, "2023-02-14T03:00:00Z", [9, 9, 9], "status-only"),
    ].sort((a, b) => a[0].localeCompare(b[0]));

    // Act
    const series = parseCountsCsv(csv(rows));

    // Assess
    expect(series.map((s) => [s.service, s.bucketMinutes])).toEqual([
      ["reports-only", 1],
      ["status-only", 15],
    ]);
  });

  it("accepts a service with a single row on any minute", () => {
    // Prepare: one row at 03:03 can only be a one-minute bucket
    const text = csv([
      ["2023-02-14T03:05:00Z", "t-mobile", 4],
      ["2023-02-14T03:03:00Z", "tiny", 1],
    ]);

    // Act
    const series = parseCountsCsv(text);

    // Assess
    expect(series.map((s) => s.service)).toEqual(["t-mobile", "tiny"]);
    expect(series[1]?.times).toEqual([at("2023-02-14T03:03:00Z")]);
    expect(series[1]?.bucketMinutes).toBe(1);
  });

  it("returns no series for a header-only file", () => {
    // Act + Assess
    expect(parseCountsCsv(`${HEADER}\n`)).toEqual([]);
  });
});

describe("parseCountsCsv on bad input names the line and the problem", () => {
  it("rejects a wrong header on line 1", () => {
    // Prepare
    const text = "time,service,count\n2023-02-14T03:20:00Z,att,1\n";

    // Act
    const error = errorOf(text);

    // Assess
    expect(error.line).toBe(1);
    expect(error.origin).toBe("counts.csv");
    expect(error.message).toMatch(
      /^counts\.csv:1: header must be 'timestamp,service,count', found 'time,service,count'/,
    );
  });

  it("rejects an empty file on line 1", () => {
    // Act + Assess
    expect(errorOf("").line).toBe(1);
  });

  it.each([
    ["a date without a time", "2023-02-14"],
    ["a time without a zone", "2023-02-14T03:25:00"],
    ["a US-style date", "02/14/2023 03:25"],
    ["epoch seconds", "1676345100"],
    ["month 13", "2023-13-14T03:25:00Z"],
    ["hour 25", "2023-02-14T25:00:00Z"],
    ["a day February does not have", "2023-02-30T03:25:00Z"],
  ])("rejects %s as a timestamp on its own line", (_what, timestamp) => {
    // Prepare: the bad row is line 4
    const text = csv([
      ["2023-02-14T03:15:00Z", "att", 1],
      ["2023-02-14T03:20:00Z", "att", 2],
      [timestamp, "att", 3],
      ["2023-02-14T03:30:00Z", "att", 4],
    ]);

    // Act
    const error = errorOf(text);

    // Assess
    expect(error.line).toBe(4);
    expect(error.message).toBe(
      `counts.csv:4: timestamp '${timestamp}' is not ISO-8601 (e.g. 2023-02-14T03:20:00Z)`,
    );
  });

  it.each([
    ["a negative count", "-3"],
    ["a fractional count", "2.5"],
    ["an empty count", ""],
    ["a count in exponent form", "1e3"],
    ["a word", "many"],
  ])("rejects %s on its own line", (_what, count) => {
    // Prepare: the bad row is line 3
    const text = csv([
      ["2023-02-14T03:20:00Z", "att", 2],
      ["2023-02-14T03:25:00Z", "att", count],
      ["2023-02-14T03:30:00Z", "att", 4],
    ]);

    // Act
    const error = errorOf(text);

    // Assess
    expect(error.line).toBe(3);
    expect(error.message).toBe(
      `counts.csv:3: count '${count}' must be a non-negative whole number`,
    );
  });

  it("rejects a row with a missing field", () => {
    // Prepare
    const text = `${HEADER}\n2023-02-14T03:20:00Z,att,2\n2023-02-14T03:25:00Z,4\n`;

    // Act
    const error = errorOf(text);

    // Assess
    expect(error.line).toBe(3);
    expect(error.problem).toMatch(/expected 3 fields/);
  });

  it("rejects a service name in capitals", () => {
    // Act
    const error = errorOf(csv([["2023-02-14T03:20:00Z", "AT&T", 2]]));

    // Assess
    expect(error.line).toBe(2);
    expect(error.problem).toMatch(/service 'AT&T' must be lower-case/);
  });

  it("rejects a duplicate row at the later line, naming the earlier one", () => {
    // Prepare: line 5 repeats line 3's bucket, written another way; line 4 is another service
    const text = csv([
      ["2023-02-14T03:20:00Z", "att", 2],
      ["2023-02-14T03:25:00Z", "att", 3],
      ["2023-02-14T03:25:00Z", "verizon", 3],
      ["2023-02-14T03:25:00.000Z", "att", 9],
    ]);

    // Act
    const error = errorOf(text);

    // Assess
    expect(error.line).toBe(5);
    expect(error.message).toBe(
      "counts.csv:5: duplicate row: att at this timestamp already appears on line 3",
    );
  });

  it("does not call the same bucket of two services a duplicate", () => {
    // Prepare
    const text = csv([
      ["2023-02-14T03:20:00Z", "att", 2],
      ["2023-02-14T03:20:00Z", "verizon", 2],
    ]);

    // Act + Assess
    expect(parseCountsCsv(text)).toHaveLength(2);
  });

  it("rejects mixed bucket widths at the row off the grid, even when rows are unsorted", () => {
    // Prepare: 5-minute rows with one row at 03:37 (line 3), listed out of order
    const text = csv([
      ["2023-02-14T03:40:00Z", "att", 1],
      ["2023-02-14T03:37:00Z", "att", 1],
      ["2023-02-14T03:20:00Z", "att", 1],
      ["2023-02-14T03:25:00Z", "att", 1],
      ["2023-02-14T03:30:00Z", "att", 1],
      ["2023-02-14T03:35:00Z", "att", 1],
    ]);

    // Act
    const error = errorOf(text);

    // Assess
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^counts\.csv:3: mixed bucket widths for att/);
    expect(error.problem).toMatch(/5-minute grid/);
  });

  it("rejects 10-minute rows that switch to 5-minute rows", () => {
    // Prepare: 03:00..03:40 every 10 minutes, then 03:45 (line 7)
    const rows = every(10, "2023-02-14T03:00:00Z", [1, 1, 1, 1, 1]);
    rows.push(["2023-02-14T03:45:00Z", "t-mobile", 1]);
    const text = csv(rows);

    // Act
    const error = errorOf(text);

    // Assess
    expect(error.line).toBe(7);
    expect(error.problem).toMatch(/mixed bucket widths for t-mobile.*10-minute grid/);
  });

  it("rejects a width the detector does not support", () => {
    // Prepare: rows 7 minutes apart
    const text = csv(every(7, "2023-02-14T03:00:00Z", [1, 2, 3]));

    // Act
    const error = errorOf(text);

    // Assess
    expect(error.line).toBe(3);
    expect(error.problem).toMatch(/7 minutes apart; use buckets of 1, 5, 10 or 15 minutes/);
  });
});
