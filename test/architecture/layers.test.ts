/**
 * The layering (`.dependency-cruiser.cjs`, drawn in ARCHITECTURE.md) holds on the whole
 * tree: every import points down the pipeline and no files import each other in a loop.
 * The same rules are shown to fail on a small tree that breaks them.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cruise, type IConfiguration, type ICruiseResult } from "dependency-cruiser";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const rules = createRequire(import.meta.url)(
  join(ROOT, ".dependency-cruiser.cjs"),
) as IConfiguration;
const PRODUCT = ["bin", "lib", "contract", "lambdas", "local", "backtest", "dashboard", "bench"];

/** The rule violations in the folders `paths` of `baseDir`, one line each. */
async function violations(baseDir: string, paths: string[]): Promise<string[]> {
  const { output } = await cruise(paths, {
    ...rules.options,
    ruleSet: { forbidden: rules.forbidden ?? [] },
    baseDir,
    validate: true,
    tsConfig: undefined,
  });
  const summary = (output as ICruiseResult).summary;
  return summary.violations.map(
    (v) =>
      `${v.rule.name}: ${v.from} -> ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(" -> ")})` : ""}`,
  );
}

describe("the layering", () => {
  it("holds for every import of the product", async () => {
    expect(await violations(ROOT, PRODUCT)).toEqual([]);
  }, 60_000);

  it("fails on an upward import and on a loop", async () => {
    // Prepare: domain code that reaches into the store and into a source's adapter, a
    // source's settings that reach into the HTTP client, and two files that import each other
    const dir = mkdtempSync(join(tmpdir(), "outcry-layers-"));
    const files: Record<string, string> = {
      "lambdas/store/client.ts": "export const client = 1;\n",
      "lambdas/domain/detector.ts":
        'import { client } from "../store/client";\nexport const d = client;\n',
      "contract/a.ts": 'import { b } from "./b";\nexport const a = () => b;\n',
      "contract/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n',
      "lambdas/usecases/collect.ts":
        'import { client } from "../store/client";\nexport const c = client;\n',
      "lambdas/http/retry.ts": "export const retry = 1;\n",
      "lambdas/sources/rss/config.ts":
        'import { retry } from "../../http/retry";\nexport const rss = retry;\n',
      "lambdas/sources/rss/source.ts": "export const read = 1;\n",
      "lambdas/domain/config.ts":
        'import { rss } from "../sources/rss/config";\nimport { read } from "../sources/rss/source";\nexport const config = [rss, read];\n',
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }

    // Act
    const found = await violations(dir, ["lambdas", "contract"]);

    // Assess
    expect(found).toEqual(
      expect.arrayContaining([
        "domain-is-pure: lambdas/domain/detector.ts -> lambdas/store/client.ts",
        "usecases-over-ports: lambdas/usecases/collect.ts -> lambdas/store/client.ts",
        "source-settings-are-pure: lambdas/sources/rss/config.ts -> lambdas/http/retry.ts",
        "domain-is-pure: lambdas/domain/config.ts -> lambdas/sources/rss/source.ts",
        expect.stringMatching(/^no-circular: contract\/a\.ts -> contract\/b\.ts/),
      ]),
    );
  });
});
