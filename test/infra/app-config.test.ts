/**
 * The configuration as the function bundles carry it.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, type SourceConfig } from "../../lambdas/domain/config";
import { loadConfigFile } from "../../lambdas/wiring/config-file";
import { normalizeForBundle, writeBundledConfigs } from "../../lib/app-config";
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

  it("writes detect a file that loads back to the same config, $schema dropped", () => {
    const config = configWithReplays(["one.csv"], { $schema: "./config.schema.json" });
    const dir = mkdtempSync(join(tmpdir(), "outcry-"));
    const { configFile } = writeBundledConfigs(config, dir).detect;
    expect(JSON.parse(readFileSync(configFile, "utf8"))).not.toHaveProperty("$schema");
    // As in a bundle: the CSV sits in replay/ beside the config.
    mkdirSync(join(dir, "detect", "replay"));
    writeFileSync(join(dir, "detect", "replay", "one.csv"), "timestamp,service,count\n");
    const loaded = loadConfigFile(configFile);
    expect(replayFile(loaded.services[0]?.sources[0])).toBe(
      join(dir, "detect", "replay", "one.csv"),
    );
    expect({ ...loaded, services: [] }).toEqual({ ...config, $schema: undefined, services: [] });
  });

  it("bundles no address, number or webhook URL, and recipients only for detect", () => {
    // Prepare: recipients of every kind, operators among them.
    const config = configWithReplays(["one.csv"], {
      subscribers: [
        { email: "noc@example.org", services: ["svc-0"] },
        { sms: "+15555550123", updates: true },
      ],
      webhooks: [{ id: "noc-slack", url: "https://hooks.slack.com/services/T0/B0/secret" }],
      operators: [{ email: "ops@example.org" }, { sms: "+15555550199" }, { webhook: "noc-slack" }],
    });

    // Act
    const files = writeBundledConfigs(config, mkdtempSync(join(tmpdir(), "outcry-")));

    // Assess: no personal data in any function's copy...
    for (const [fn, { configFile }] of Object.entries(files)) {
      const text = readFileSync(configFile, "utf8");
      for (const secret of ["noc@example.org", "+1555555", "ops@example.org", "hooks.slack"]) {
        expect(text, `${fn} carries ${secret}`).not.toContain(secret);
      }
    }
    // ...detect keeps the ids and filters it decides audiences with, the others nothing.
    expect(files.detect.config.subscribers).toEqual([
      { id: config.subscribers[0]?.id, services: ["svc-0"], updates: false, quietHours: [] },
      { id: config.subscribers[1]?.id, updates: true, quietHours: [] },
    ]);
    expect(files.detect.config.webhooks.map((w) => w.id)).toEqual(["noc-slack"]);
    for (const fn of ["collect", "api", "webhook"] as const) {
      expect(files[fn].config.subscribers).toEqual([]);
      expect(files[fn].config.webhooks).toEqual([]);
    }
    // Only collect reads sources, so only it carries the CSVs.
    expect(files.collect.replayFiles).toHaveLength(1);
    expect(files.api.replayFiles).toEqual([]);
  });
});
