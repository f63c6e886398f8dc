/**
 * Reading a hostile feed takes time linear in its length: HTML floods in every way RSS
 * and Atom carry a body, floods at the XML level (attributes, nesting, entity runs), and
 * hostile dates. Each check compares the time on an input with the time on one four
 * times as long, in the same process.
 */
import { describe, expect, it } from "vitest";
import { parseFeed, parseFeedDate } from "../../lambdas/sources/rss/payload";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";
import {
  FEED_WRAPPINGS,
  type HostileShape,
  HTML_SHAPES,
  repeatTo,
  XML_FLOODS,
} from "../support/hostile-payloads";

const URL = "https://example.com/feed";
const read = (xml: string) => parseFeed(xml, URL);

/**
 * Body size of the smaller input. The XML parser gathers text one character at a time,
 * so past a few hundred thousand characters one parse's garbage outgrows V8's young
 * generation; a pair straddling that point measures the collector, not the parser.
 */
const SIZE = 16_000;

/** The HTML shapes that were quadratic before, wrapped each way a feed carries a body. */
const QUADRATIC_BEFORE = ["'<' flood", "unclosed comments", "unclosed CDATA", "entity run &amp;"];

const wrapped = FEED_WRAPPINGS.flatMap((wrapping) =>
  HTML_SHAPES.filter((shape) => QUADRATIC_BEFORE.includes(shape.name)).map(
    (shape) =>
      [
        `${wrapping.name}: ${shape.name}`,
        (size: number) => wrapping.wrap(shape.make(size)),
      ] as const,
  ),
);

describe("parseFeed time", () => {
  it.each(wrapped)("grows linearly with a hostile body in %s", (_, make) => {
    // Act
    const ratio = settledGrowthRatio(make, read, SIZE);

    // Assess
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });

  it.each(XML_FLOODS.map((flood) => [flood.name, flood] as const))(
    "grows linearly with an XML-level flood: %s",
    (_, flood) => {
      // Act
      const ratio = settledGrowthRatio(flood.make, read, SIZE);

      // Assess
      expect(ratio).toBeLessThan(LINEAR_LIMIT);
    },
  );

  it("refuses nesting deeper than the limit, naming it", () => {
    // Prepare
    const deep = XML_FLOODS.find((flood) => flood.name.startsWith("deep nesting, closed"));

    // Act / Assess
    expect(() => read(deep?.make(10_000) ?? "")).toThrow(/nest deeper than 100 levels/);
  });
});

const DATES: readonly HostileShape[] = [
  {
    name: "RFC 822 then spaces",
    make: (size) => `Tue, 14 Feb 2023 03:21:00${repeatTo(" ", size)}x`,
  },
  {
    name: "ISO with a long fraction",
    make: (size) => `2023-02-14T03:21:00.${repeatTo("1", size)}x`,
  },
  { name: "digits and spaces", make: (size) => repeatTo("1 ", size) },
  { name: "day names", make: (size) => repeatTo("Tue, ", size) },
];

describe("parseFeedDate time", () => {
  it.each(DATES.map((shape) => [shape.name, shape] as const))(
    "grows linearly with a hostile date: %s",
    (_, shape) => {
      // Act
      const ratio = settledGrowthRatio(shape.make, parseFeedDate, 256_000);

      // Assess
      expect(ratio).toBeLessThan(LINEAR_LIMIT);
    },
  );
});
