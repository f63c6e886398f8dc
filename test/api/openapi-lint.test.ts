/**
 * The OpenAPI document passes the two common linters, Spectral (`spectral:oas`) and
 * Redocly (`recommended`), with no error and no warning, for every `api.auth` mode; and
 * both still find what they should, so a clean result means the document was read.
 */
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { Document, type RulesetDefinition, Spectral } from "@stoplight/spectral-core";
import parsers from "@stoplight/spectral-parsers";
import { oas } from "@stoplight/spectral-rulesets";
import { describe, expect, it } from "vitest";
import { openApiText } from "../../lambdas/api/openapi";

const SPECTRAL_RULESET: RulesetDefinition = {
  extends: [[oas as RulesetDefinition, "recommended"]],
  rules: {
    // Each deployment has its own operator, and the document is built before anyone
    // deploys it: there is no one contact to name.
    "info-contact": "off",
  },
};

/** Spectral's errors and warnings (severity 0 and 1), as `rule at path`. */
async function spectralFindings(text: string): Promise<string[]> {
  const spectral = new Spectral();
  spectral.setRuleset(SPECTRAL_RULESET);
  const results = await spectral.run(new Document(text, parsers.Json, "openapi.json"));
  return results
    .filter((result) => result.severity <= 1)
    .map((result) => `${result.code} at ${result.path.join(".")}`);
}

/** Redocly's errors and warnings, as `rule at pointer`. */
async function redoclyFindings(text: string): Promise<string[]> {
  const config = await createConfig({ extends: ["recommended"] });
  const problems = await lintFromString({ source: text, absoluteRef: "openapi.json", config });
  return problems
    .filter((problem) => problem.severity === "error" || problem.severity === "warn")
    .map((problem) => `${problem.ruleId} at ${problem.location[0]?.pointer ?? "?"}`);
}

describe("the OpenAPI document's lint", () => {
  it.each(["none", "apiKey", "iam"] as const)(
    "finds nothing in the document for api.auth %s",
    async (auth) => {
      // Arrange
      const text = openApiText(auth);

      // Act
      const spectral = await spectralFindings(text);
      const redocly = await redoclyFindings(text);

      // Assess
      expect(spectral).toEqual([]);
      expect(redocly).toEqual([]);
    },
  );

  it("finds a missing server, an unsaid security and an unused scheme", async () => {
    // Arrange
    const document = JSON.parse(openApiText("apiKey"));
    delete document.servers;
    delete document.paths["/health"].get.security;
    document.components.securitySchemes.unused = { type: "http", scheme: "bearer" };
    const text = JSON.stringify(document);

    // Act
    const spectral = await spectralFindings(text);
    const redocly = await redoclyFindings(text);

    // Assess
    expect(spectral).toEqual(["oas3-api-servers at "]);
    expect(redocly.sort()).toEqual([
      "no-empty-servers at #/openapi",
      "no-unused-components at #/components/securitySchemes/unused",
      "security-defined at #/paths/~1health/get",
    ]);
  });
});
