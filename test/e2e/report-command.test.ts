/**
 * `npx outcry report SERVICE PROBLEM --url URL` as a script runs it: a child process
 * against the local runtime, solving the challenge the API asks for.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../lambdas/domain/config";
import { CHEAP_CHALLENGE } from "../support/report-client";
import { startTemporaryRuntime, type TemporaryRuntime } from "../support/temporary-runtime";

const repoRoot = resolve(import.meta.dirname, "../..");
const tsx = resolve(repoRoot, "node_modules/.bin/tsx");

let runtime: TemporaryRuntime;

beforeAll(async () => {
  runtime = await startTemporaryRuntime({
    config: parseConfig({
      services: [
        { id: "t-mobile", name: "T-Mobile", category: "carrier" },
        { id: "verizon", name: "Verizon", category: "carrier", area: "us" },
      ],
      reports: { challenge: CHEAP_CHALLENGE },
    }),
  });
});

afterAll(async () => {
  await runtime?.stop();
});

/** Runs `outcry report <args>` and waits for it to exit. */
function report(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      tsx,
      ["bin/outcry.ts", "report", ...args],
      { cwd: repoRoot },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe("outcry report", () => {
  it("solves the challenge and gets a report counted, then says a second is a duplicate", async () => {
    // Act
    const first = await report(["t-mobile", "no-signal", "--url", runtime.url]);
    const second = await report(["t-mobile", "calls", "--url", runtime.url]);

    // Assess
    expect(first).toMatchObject({ code: 0, stdout: "counted: thank you\n" });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^already counted/);
  });

  it("sends the region given, and exits 2 with the API's words for one of another area", async () => {
    // Act
    const texas = await report(["verizon", "calls", "--region", "US-TX", "--url", runtime.url]);
    const abroad = await report(["t-mobile", "calls", "--region", "US-TX", "--url", runtime.url]);

    // Assess: t-mobile's area is the world, where a region is a country
    expect(texas).toMatchObject({ code: 0, stdout: "counted: thank you\n" });
    expect(abroad.code).toBe(2);
    expect(abroad.stderr).toContain("a country code such as DE");
  });

  it("exits 2 with the API's words for a report that must change, 1 when unreachable", async () => {
    // Act
    const unknown = await report(["nope", "no-signal", "--url", runtime.url]);
    const missing = await report(["t-mobile"]);
    const unreachable = await report(["t-mobile", "calls", "--url", "http://127.0.0.1:9"]);

    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`POST /reports answered 404: no service has id "nope"`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("usage: npx outcry report SERVICE PROBLEM");
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("could not reach the API at http://127.0.0.1:9/");
  });
});
