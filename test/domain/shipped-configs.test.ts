/**
 * The configurations the repository ships (outcry.config.json and every example) parse
 * with the config schema, and point their editors at the committed JSON Schema.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFile } from "../../lambdas/wiring/config-file";

const ROOT = join(import.meta.dirname, "..", "..");
const EXAMPLES = readdirSync(join(ROOT, "examples"))
  .filter((name) => name.endsWith(".json"))
  .map((name) => join("examples", name));
const SHIPPED = ["outcry.config.json", ...EXAMPLES];

describe("the shipped configurations", () => {
  it("include the vendors and carriers examples", () => {
    // Assess
    expect(EXAMPLES).toEqual(
      expect.arrayContaining([
        join("examples", "vendors.config.json"),
        join("examples", "carriers.config.json"),
      ]),
    );
  });

  it.each(SHIPPED)("%s parses and names the committed schema", (path) => {
    // Act
    const raw = JSON.parse(readFileSync(join(ROOT, path), "utf8")) as { $schema?: string };
    const config = loadConfigFile(join(ROOT, path));

    // Assess
    expect(config.services.length).toBeGreaterThan(0);
    expect(raw.$schema).toBe(
      path.startsWith("examples") ? "../config.schema.json" : "./config.schema.json",
    );
  });

  it("watches the carriers through crowd reports and social mentions, and vendors through their pages", () => {
    // Act
    const config = loadConfigFile(join(ROOT, "outcry.config.json"));
    const kinds = Object.fromEntries(
      config.services.map((s) => [s.id, s.sources.map((source) => source.kind)]),
    );

    // Assess
    for (const carrier of ["t-mobile", "verizon", "att"]) {
      expect(kinds[carrier]).toEqual(["mastodon", "rss"]);
      expect(config.services.find((s) => s.id === carrier)?.reports.enabled).toBe(true);
    }
    expect(kinds.aws).toEqual(["aws-health"]);
    expect(kinds.gcp).toEqual(["gcp-status"]);
    expect(kinds.github).toEqual(["statuspage"]);
    // Nothing by default needs a secret, so a fresh checkout starts without one.
    expect(Object.values(kinds).flat()).not.toContain("bluesky");
  });
});
