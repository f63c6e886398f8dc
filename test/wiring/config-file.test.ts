/**
 * Loading the configuration file as `npm start` and `cdk synth` do.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../lambdas/domain/config";
import { loadConfigFile } from "../../lambdas/wiring/config-file";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "outcry-config-file-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const service = (sources: unknown[]) => ({
  services: [{ id: "t-mobile", name: "T-Mobile", category: "carrier", sources }],
});

describe("loadConfigFile", () => {
  it("resolves replay files against the config file's folder", async () => {
    // Prepare
    await writeFile(join(dir, "counts.csv"), "timestamp,service,count\n");
    await writeFile(
      join(dir, "ok.json"),
      JSON.stringify(service([{ kind: "replay", file: "counts.csv" }])),
    );

    // Act
    const config = loadConfigFile(join(dir, "ok.json"));

    // Assess
    expect(config.services[0]?.sources[0]).toMatchObject({ file: join(dir, "counts.csv") });
  });

  it("fails at load, naming the field, when a replay file does not exist", async () => {
    // Prepare
    await writeFile(
      join(dir, "missing.json"),
      JSON.stringify(service([{ kind: "replay", file: "nope.csv" }])),
    );

    // Act
    const load = () => loadConfigFile(join(dir, "missing.json"));

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/services\[0\]\.sources\[0\]\.file: .*nope\.csv does not exist/);
  });

  it("says how to pass another file when the file is missing, and names bad JSON", async () => {
    // Prepare
    await writeFile(join(dir, "broken.json"), "{ not json");

    // Act / Assess
    expect(() => loadConfigFile(join(dir, "absent.json"))).toThrow(
      /does not exist; pass another with --config/,
    );
    expect(() => loadConfigFile(join(dir, "broken.json"))).toThrow(/is not valid JSON/);
  });
});
