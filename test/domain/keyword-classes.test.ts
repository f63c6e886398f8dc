/**
 * The `classes` setting of the text sources: what it takes, kept in the order written,
 * and what it refuses, each refusal naming the field and the fix, through the whole
 * configuration as a user meets it.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../lambdas/domain/config";
import { keywordClassesSchema } from "../../lambdas/domain/keyword-classes";

/** A configuration whose one service reads one Mastodon hashtag with `classes`. */
function configWith(classes: unknown) {
  return {
    services: [
      {
        id: "t-mobile",
        name: "T-Mobile",
        category: "carrier",
        sources: [
          {
            kind: "mastodon",
            instance: "https://mastodon.social",
            hashtag: "tmobile",
            ...(classes === undefined ? {} : { classes }),
          },
        ],
      },
    ],
  };
}

/** The problems `parseConfig` names for `classes`, or [] when it takes them. */
function problemsWith(classes: unknown): readonly string[] {
  try {
    parseConfig(configWith(classes));
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe("keyword classes in the configuration", () => {
  it("keeps the classes in the order written, keywords trimmed", () => {
    // Act
    const parsed = keywordClassesSchema.parse({
      texts: ["texts", " SMS "],
      calls: ["calls"],
      "mobile-data": ["data", "5g"],
    });

    // Assess
    expect(Object.keys(parsed)).toEqual(["texts", "calls", "mobile-data"]);
    expect(parsed.texts).toEqual(["texts", "SMS"]);
  });

  it.each([
    [
      { Calls: ["calls"] },
      /sources\[0\]\.classes\.Calls: the class id "Calls" is not valid: use 1-32 lower-case letters/,
    ],
    // An integer-like key would move to the front of a JSON object, changing the order.
    [
      { calls: ["calls"], "5": ["five"] },
      /classes\.5: the class id "5" is not valid.*starting with a letter/,
    ],
    [{ calls: [] }, /classes\.calls: a class with no keywords takes no post/],
    [{ calls: ["  "] }, /classes\.calls\[0\]: an empty keyword matches nothing; remove it/],
    [{ calls: ["x".repeat(81)] }, /classes\.calls\[0\]: keep each keyword or phrase to at most 80/],
    [
      { calls: Array.from({ length: 31 }, (_, i) => `word${i}`) },
      /classes\.calls: list at most 30 keywords in a class/,
    ],
    [{}, /classes: give at least one class/],
    [
      Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`class-${i}a`, [`word${i}`]])),
      /classes: give at most 10 classes/,
    ],
    [
      { "mobile-data": ["Data"], texts: ["texts", "data"] },
      /classes\.texts\[1\]: 'data' is already a keyword of the class 'mobile-data', which comes first/,
    ],
    [{ calls: "calls" }, /classes\.calls/],
  ])("refuses %o, naming the field and the fix", (classes, message) => {
    // Act
    const problems = problemsWith(classes);

    // Assess
    expect(problems.join("\n")).toMatch(message);
  });

  it("takes a source without classes as before", () => {
    // Act
    const config = parseConfig(configWith(undefined));

    // Assess
    expect(config.services[0]?.sources[0]).not.toHaveProperty("classes");
  });
});
