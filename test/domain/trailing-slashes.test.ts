import { describe, expect, it } from "vitest";
import { withoutTrailingSlashes } from "../../lambdas/domain/trailing-slashes";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";

describe("withoutTrailingSlashes", () => {
  it("cuts the slashes a text ends in, and only those", () => {
    expect(withoutTrailingSlashes("https://mastodon.social//")).toBe("https://mastodon.social");
    expect(withoutTrailingSlashes("/reports/")).toBe("/reports");
    expect(withoutTrailingSlashes("/a//b")).toBe("/a//b");
    expect(withoutTrailingSlashes("///")).toBe("");
  });

  it("takes time linear in a text of many slashes that does not end in one", () => {
    const ratio = settledGrowthRatio(
      (size) => `${"/".repeat(size)}x`,
      withoutTrailingSlashes,
      64_000,
    );
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });
});
