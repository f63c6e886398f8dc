/**
 * A local runtime on a data folder of its own, for tests that need one as a user would
 * start it: no ticks of its own, quiet unless asked, and gone (folder and all) on stop.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type LocalRuntime,
  type LocalRuntimeOptions,
  startLocalRuntime,
} from "../../local/local-runtime";

/** A running runtime and its folder. */
export interface TemporaryRuntime {
  runtime: LocalRuntime;
  url: string;
  dataDir: string;
  /** Stops the runtime and deletes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts a runtime on a fresh temporary folder, ticking only when the test says so.
 * @example const { url, stop } = await startTemporaryRuntime({ config });
 */
export async function startTemporaryRuntime(
  options: Omit<LocalRuntimeOptions, "dataDir" | "port"> & { port?: number },
): Promise<TemporaryRuntime> {
  const dataDir = await mkdtemp(join(tmpdir(), "outcry-test-"));
  try {
    const runtime = await startLocalRuntime({
      port: 0,
      autoTick: false,
      print: () => {},
      ...options,
      dataDir,
    });
    return {
      runtime,
      url: runtime.url,
      dataDir,
      async stop() {
        await runtime.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
