/**
 * The committed JSON Schema of the configuration matches the zod schema it comes from.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../lambdas/domain/config";

const ROOT = join(import.meta.dirname, "..", "..");

describe("config.schema.json", () => {
  it("is up to date (regenerate: npm run --silent config-schema > config.schema.json)", () => {
    // Act
    const committed = JSON.parse(readFileSync(join(ROOT, "config.schema.json"), "utf8"));

    // Assess
    expect(committed).toEqual(configJsonSchema());
  });

  it("describes the fields a user sets most", () => {
    // Act
    const schema = configJsonSchema() as {
      properties: Record<string, { description?: string }>;
      required: string[];
    };

    // Assess
    expect(schema.required).toEqual(["services"]);
    expect(schema.properties.bucketMinutes?.description).toMatch(/1, 5, 10 or 15/);
    expect(schema.properties.subscribers?.description).toMatch(/email or SMS/);
  });
});
