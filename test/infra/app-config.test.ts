/**
 * The configuration as the function bundles carry it.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, type SourceConfig } from "../../lambdas/domain/config";
import { loadConfigFile } from "../../lambdas/runtime/config-file";
import { normalizeForBundle, writeBundledConfig } from "../../lib/app-config";
import { writeConfig } from "./synth";

/** A config folder with CSVs at the given relative paths, loaded like a user's file. */
function configWithReplays(files: string[], extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "outcry-"));
  const services = files.map((file, i) => {
    mkdirSync(join(dir, file, ".."), { recursive: true });
    writeFileSync(join(dir, file), "timestamp,service,count\n");
    return {
      id: `svc-${i}`,
      name: `Service ${i}`,
      category: "app",
      sources: [{ kind: "replay", file }],
    };
  });
  return loadConfigFile(writeConfig({ ...extra, services }, dir));
}

/** The file of a replay source (every source these tests build is one). */
function replayFile(source: SourceConfig | undefined): string | undefined {
  return source?.kind === "replay" ? source.file : undefined;
}

describe("bundled config", () => {
  it("points replay sources at replay/<file name> and lists the CSVs to copy", () => {
    const config = configWithReplays(["a/one.csv", "b/two.csv"]);
    const bundled = normalizeForBundle(config);
    expect(bundled.config.services.map((s) => s.sources[0])).toMatchObject([
      { kind: "replay", file: "replay/one.csv" },
      { kind: "replay", file: "replay/two.csv" },
    ]);
    expect(bundled.replayFiles).toEqual(config.services.map((s) => replayFile(s.sources[0])));
  });

  it("copies a CSV shared by two services once", () => {
    const config = configWithReplays(["same.csv", "same.csv"]);
    expect(normalizeForBundle(config).replayFiles).toHaveLength(1);
  });

  it("refuses two different CSVs with the same file name, naming the field", () => {
    const config = configWithReplays(["a/counts.csv", "b/counts.csv"]);
    expect(() => normalizeForBundle(config)).toThrow(ConfigError);
    expect(() => normalizeForBundle(config)).toThrow(
      /services\[1\]\.sources\[0\]\.file: .*same file name/,
    );
  });

  it("refuses a replay CSV that does not exist", () => {
    const config = configWithReplays(["gone.csv"]);
    const missing = {
      ...config,
      services: config.services.map((s) => ({
        ...s,
        sources: s.sources.map((source) => ({ ...source, file: `${replayFile(source)}.missing` })),
      })),
    };
    expect(() => normalizeForBundle(missing)).toThrow(
      /services\[0\]\.sources\[0\]\.file: .* does not exist/,
    );
  });

  it("writes a file that loads back to the same config, $schema dropped", () => {
    const config = configWithReplays(["one.csv"], { $schema: "./config.schema.json" });
    const dir = mkdtempSync(join(tmpdir(), "outcry-"));
    const { configFile } = writeBundledConfig(config, dir);
    expect(JSON.parse(readFileSync(configFile, "utf8"))).not.toHaveProperty("$schema");
    // As in a bundle: the CSV sits in replay/ beside the config.
    mkdirSync(join(dir, "replay"));
    writeFileSync(join(dir, "replay", "one.csv"), "timestamp,service,count\n");
    const loaded = loadConfigFile(configFile);
    expect(replayFile(loaded.services[0]?.sources[0])).toBe(join(dir, "replay", "one.csv"));
    expect({ ...loaded, services: [] }).toEqual({ ...config, $schema: undefined, services: [] });
  });
});
