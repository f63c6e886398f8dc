/**
 * Keyword matching takes time linear in the text it reads, however the text is made: a
 * feed item's or a post's text comes from a third party, and a Mastodon content warning
 * reaches the matcher as the server sent it. Sorting into keyword classes matches the
 * same way: the first class in order with a keyword the text mentions.
 */
import { describe, expect, it } from "vitest";
import { itemClassifier, itemFilter } from "../../lambdas/sources/text-matching";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";
import { type HostileShape, repeatTo } from "../support/hostile-payloads";

/** The longest phrase the config allows (80 characters): forty one-letter words. */
const LONG_PHRASE = Array.from({ length: 40 }, () => "a").join(" ");

const TEXTS: readonly (HostileShape & { keywords: string[] })[] = [
  {
    name: "a phrase's first word, then spaces",
    keywords: ["no signal"],
    make: (size) => `no${repeatTo(" ", size)}x`,
  },
  {
    name: "a phrase's first word, repeated",
    keywords: ["no signal"],
    make: (size) => repeatTo("no ", size),
  },
  {
    name: "the longest phrase, all but its end",
    keywords: [`${LONG_PHRASE} b`],
    make: (size) => repeatTo("a ", size),
  },
  { name: "combining marks", keywords: ["a"], make: (size) => repeatTo("a\u0301", size) },
  {
    name: "typographic hyphens and apostrophes",
    keywords: ["T-Mobile's"],
    make: (size) => repeatTo("T\u2011Mobile\u2019", size),
  },
  {
    name: "a word's letters without its end",
    keywords: ["outage"],
    make: (size) => repeatTo("outag", size),
  },
];

describe("keyword matching time", () => {
  it.each(TEXTS.map((shape) => [shape.name, shape] as const))(
    "grows linearly with the text: %s",
    (_, shape) => {
      // Prepare
      const matches = itemFilter(shape.keywords, ["x".repeat(80)]);

      // Act
      const ratio = settledGrowthRatio(shape.make, matches, 256_000);

      // Assess
      expect(ratio).toBeLessThan(LINEAR_LIMIT);
    },
  );
});

describe("keyword classes", () => {
  const classOf = itemClassifier({
    calls: ["calls", "voice"],
    texts: ["texts", "SMS"],
    "no-signal": ["no signal", "SOS"],
  });

  it("puts a text in the first class, in the order given, that it mentions a keyword of", () => {
    // Act / Assess: calls comes before texts, so a text mentioning both is calls
    expect(classOf("Texts won't send and calls fail")).toBe("calls");
    expect(classOf("SMS broken, phone says sos only")).toBe("texts");
    expect(classOf("NO   SIGNAL in Dallas")).toBe("no-signal");
  });

  it("matches whole words in any case, and leaves a text with none unclassified", () => {
    // Act / Assess: "voicemail" and "SOSA" are other words
    expect(classOf("VOICE calls down")).toBe("calls");
    expect(classOf("voicemail full, SOSA")).toBeNull();
    expect(classOf("")).toBeNull();
  });

  it("takes the classes' order from the map, so reordering changes the class", () => {
    // Act
    const textsFirst = itemClassifier({ texts: ["texts"], calls: ["calls"] });

    // Assess
    expect(textsFirst("Texts won't send and calls fail")).toBe("texts");
  });

  it.each(TEXTS.map((shape) => [shape.name, shape] as const))(
    "takes time linear in the text: %s",
    (_, shape) => {
      // Prepare: the hostile keywords in the last class, so every class is tried
      const classify = itemClassifier({ first: ["x".repeat(80)], last: shape.keywords });

      // Act
      const ratio = settledGrowthRatio(shape.make, (text) => classify(text) !== null, 256_000);

      // Assess
      expect(ratio).toBeLessThan(LINEAR_LIMIT);
    },
  );
});
