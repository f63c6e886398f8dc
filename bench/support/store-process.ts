/**
 * The embedded store (dynalite, in memory) in a process of its own, so that its work
 * does not share the event loop, and the CPU figures, of the pipeline a bench measures:
 * in AWS, DynamoDB is another machine.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { startEmbeddedStore } from "../../local/embedded-store";

/** A store served by a child process. */
export interface StoreProcess {
  endpoint: string;
  tableName: string;
  /** The child's process id (to read its CPU time, or to stop it). */
  pid: number;
  close(): Promise<void>;
}

/** Starts the store in a child process and waits until it serves. */
export async function startStoreProcess(tableName = "outcry"): Promise<StoreProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", import.meta.filename, "--serve", tableName],
    { stdio: ["pipe", "pipe", "inherit"], env: process.env },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the store process ended (${code})`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", (line) =>
      resolve(line.trim()),
    );
  });
  child.removeAllListeners("exit");
  return {
    endpoint,
    tableName,
    pid: child.pid ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin?.end();
      }),
  };
}

// The child: serves until its standard input closes.
if (process.argv[2] === "--serve") {
  startEmbeddedStore({ tableName: process.argv[3] ?? "outcry" }).then((store) => {
    process.stdout.write(`${store.endpoint}\n`);
    process.stdin.resume();
    process.stdin.on("end", () => {
      store.close().finally(() => process.exit(0));
    });
  });
}
