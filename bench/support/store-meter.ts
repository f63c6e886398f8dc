/**
 * An instrumented DynamoDB client for benchmarks: an SDK v3 middleware that counts every
 * call by command, by the function that made it (collect, detect, api, …) and by the
 * store method and item kind it touched, reads the capacity units DynamoDB says it
 * consumed, and waits a fixed time before each call as a stand-in for the network.
 *
 * Units: each call asks for `ReturnConsumedCapacity: "TOTAL"`, which dynalite answers
 * from the item sizes as DynamoDB does (a write unit per 1 KB written, the larger of the
 * old and new item; a read unit per 4 KB read strongly consistent, half eventually
 * consistent; a Query on the total size of the items it read). Where it undercounts, the
 * meter applies DynamoDB's minimums: a read is at least one unit (half eventually
 * consistent) even when it finds nothing, a write at least one unit. A write refused by
 * its condition returns no figure; DynamoDB still charges it (at least one unit), so it
 * is counted as one and marked `failedConditions`.
 *
 * Attribution: the function is read from the call's stack (V8 keeps the awaiting async
 * frames), by the file under `lambdas/` that made it; a call no use case claims falls
 * back to {@link StoreMeter.phase}, which the bench sets.
 */
import { createDocumentClient } from "../../lambdas/store/client";

/** Calls and units of one (function, command, site, item kind). */
export interface CallTally {
  calls: number;
  readUnits: number;
  writeUnits: number;
  /** Items returned by reads. */
  items: number;
  /** Writes refused by their condition (charged one unit each here). */
  failedConditions: number;
  /** Milliseconds the store took to answer, summed (the injected latency not included). */
  storeMs: number;
}

/** One row of {@link StoreMeter.rows}. */
export interface CallRow extends CallTally {
  fn: string;
  command: string;
  /** The store method that made the call, e.g. `SeriesStore.putCount`. */
  site: string;
  /** The partition key's kind, e.g. `S#` or `PROGRESS/version`. */
  item: string;
}

/** When a function's calls ran: first start to last end, wall clock and CPU. */
export interface CallSpan {
  firstStart: number;
  lastEnd: number;
  /** Process CPU microseconds (user + system) at the first start and the last end. */
  cpuAtFirst: number;
  cpuAtLast: number;
  /** Calls in flight at once, at most. */
  peakInFlight: number;
  /** Milliseconds the meter itself spent on these calls (reading stacks, counting). */
  meterMs: number;
}

const READS = /^(Get|BatchGet|Query|Scan)/;
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The function each use case runs in. A use case of no function's own (`run-bounded`,
 * and `incident-mix`, which detect and the api both read) is passed over, so the call counts for the use case that ran it; one missing here
 * fails loudly, so a new use case cannot be counted for the wrong function.
 */
const USE_CASE_ROLES: Record<string, string | null> = {
  "collect-counts": "collect",
  "dispatch-collect": "collect",
  "detect-incidents": "detect",
  "dispatch-detect": "detect",
  "deliver-notifications": "detect",
  "record-service-status": "detect",
  "sms-cap-round": "detect",
  "held-round": "detect",
  "deliver-webhooks": "webhook",
  "list-incidents": "api",
  "list-services": "api",
  "query-status": "api",
  "report-challenge": "api",
  "reporter-address": "api",
  "submit-report": "api",
  subscribe: "api",
  "confirm-subscription": "api",
  unsubscribe: "api",
  "incident-feed": "api",
  "run-bounded": null,
  "incident-mix": null,
};

/** The role of a file under `lambdas/` (`usecases/collect-counts.ts`), or undefined. */
export function roleOfFile(file: string, key?: Record<string, unknown>): string | undefined {
  const match = /(usecases|handlers|api)\/([\w.-]+)\.ts$/.exec(file);
  if (!match) return undefined;
  const [, folder, base = ""] = match;
  if (folder === "usecases") {
    const role = USE_CASE_ROLES[base];
    if (role === undefined) throw new Error(`store-meter: no function for use case '${base}'`);
    return role ?? undefined;
  }
  if (folder === "handlers") {
    if (base === "shard-worker") {
      // A shard lease names its function in the key (`LEASE`, `collect#3`).
      return typeof key?.sk === "string" ? key.sk.split("#")[0] : "lease";
    }
    return base === "api" ? "api" : base === "webhook" ? "webhook" : undefined;
  }
  return "api";
}

interface Frame {
  name: string;
  file: string;
}

/** The frames of `stack` in files under `lambdas/`, innermost first. */
export function lambdaFrames(stack: string): Frame[] {
  const frames: Frame[] = [];
  for (const line of stack.split("\n")) {
    const match = /^\s*at (?:async )?(?:(.+?) \()?(.+?):\d+:\d+\)?$/.exec(line);
    const file = match?.[2];
    const at = file?.lastIndexOf("/lambdas/") ?? -1;
    if (!file || at < 0) continue;
    frames.push({ name: match?.[1] ?? "<anonymous>", file: file.slice(at + "/lambdas/".length) });
  }
  return frames;
}

/** The kind of item a call touches: its partition key up to the first `#`. */
export function itemKind(input: Record<string, unknown>): string {
  const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  let pk = key?.pk ?? values?.[":pk"];
  let sk = key?.sk;
  if (pk === undefined) {
    // A batch: the first item of the first table.
    const batch = (input.RequestItems ?? {}) as Record<string, unknown>;
    const first = Object.values(batch)[0] as
      | { Keys?: Record<string, unknown>[] }
      | {
          PutRequest?: { Item: Record<string, unknown> };
          DeleteRequest?: { Key: Record<string, unknown> };
        }[]
      | undefined;
    const one = Array.isArray(first)
      ? (first[0]?.PutRequest?.Item ?? first[0]?.DeleteRequest?.Key)
      : first?.Keys?.[0];
    pk = one?.pk;
    sk = one?.sk;
  }
  if (typeof pk !== "string") return "?";
  const hash = pk.indexOf("#");
  if (hash >= 0) return pk.slice(0, hash + 1);
  return typeof sk === "string" ? `${pk}/${sk}` : pk;
}

/** Units a call consumed, from what the store answered and DynamoDB's minimums. */
export function unitsOf(
  command: string,
  input: Record<string, unknown>,
  output: Record<string, unknown> | undefined,
): { read: number; write: number } {
  const consumed = output?.ConsumedCapacity as
    | { CapacityUnits?: number }
    | { CapacityUnits?: number }[]
    | undefined;
  const reported = Array.isArray(consumed)
    ? consumed.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0)
    : (consumed?.CapacityUnits ?? 0);
  if (READS.test(command)) {
    const floor = command.startsWith("Batch") ? 0 : input.ConsistentRead ? 1 : 0.5;
    return { read: Math.max(reported, floor), write: 0 };
  }
  const requests = Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>);
  const floor = requests.length > 0 ? requests.reduce((n, list) => n + list.length, 0) : 1;
  return { read: 0, write: Math.max(reported, floor) };
}

function itemsOf(output: Record<string, unknown> | undefined): number {
  if (!output) return 0;
  if (typeof output.Count === "number") return output.Count;
  if (output.Item) return 1;
  const responses = output.Responses as Record<string, unknown[]> | undefined;
  return Object.values(responses ?? {}).reduce((n, list) => n + list.length, 0);
}

/** Counts, prices and slows the calls of the clients it instruments. */
export class StoreMeter {
  /** Function of calls no use case claims (the bench sets it: `tick`, `api`, `seed`). */
  phase = "other";
  /** False: calls are slowed but not counted (warm-up, seeding). */
  recording = true;
  private readonly tallies = new Map<string, CallRow>();
  private readonly spans = new Map<string, CallSpan>();
  private inFlight = new Map<string, number>();

  /** @param latencyMs - waited before every call, as the network would take */
  constructor(readonly latencyMs = 0) {}

  /** Forgets every count and span. */
  reset(): void {
    this.tallies.clear();
    this.spans.clear();
  }

  /** Forgets the spans only (a new tick), keeping the counts. */
  resetSpans(): void {
    this.spans.clear();
  }

  /** Every (function, command, site, item kind) counted since the last reset. */
  rows(): CallRow[] {
    return [...this.tallies.values()].map((row) => ({ ...row }));
  }

  /** Each function's span since the last reset. */
  spanOf(fn: string): CallSpan | undefined {
    const span = this.spans.get(fn);
    return span ? { ...span } : undefined;
  }

  /** The functions seen since the last reset. */
  functions(): string[] {
    return [...new Set([...this.tallies.values()].map((row) => row.fn))];
  }

  /** Totals over rows, optionally of one function. */
  total(fn?: string): CallTally {
    const sum: CallTally = {
      calls: 0,
      readUnits: 0,
      writeUnits: 0,
      items: 0,
      failedConditions: 0,
      storeMs: 0,
    };
    for (const row of this.tallies.values()) {
      if (fn !== undefined && row.fn !== fn) continue;
      sum.calls += row.calls;
      sum.readUnits += row.readUnits;
      sum.writeUnits += row.writeUnits;
      sum.items += row.items;
      sum.failedConditions += row.failedConditions;
      sum.storeMs += row.storeMs;
    }
    return sum;
  }

  /**
   * Adds the meter's middleware to `client` (a document client or a plain one: they share
   * one middleware stack).
   */
  instrument<C extends { middlewareStack: { add: (...args: never[]) => unknown } }>(client: C): C {
    const stack = client.middlewareStack as unknown as {
      add(
        middleware: (
          next: (args: { input: unknown }) => Promise<{ output: unknown }>,
          context: { commandName?: string },
        ) => (args: { input: unknown }) => Promise<{ output: unknown }>,
        options: { step: "initialize"; name: string; priority: "high" },
      ): void;
    };
    stack.add(
      (next, context) => async (args) => {
        // Captured before any await, so the stack still leads back to the caller.
        const own = performance.now();
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 60;
        const trace = new Error().stack ?? "";
        Error.stackTraceLimit = limit;
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity ??= "TOTAL";
        let meterMs = performance.now() - own;
        if (this.latencyMs > 0) await sleep(this.latencyMs);
        const command = (context.commandName ?? "Unknown").replace(/Command$/, "");
        const recording = this.recording;
        const attributing = performance.now();
        const fn = recording ? this.functionOf(trace, input) : "";
        const started = performance.now();
        meterMs += started - attributing;
        if (recording) this.begin(fn, started, meterMs);
        let output: Record<string, unknown> | undefined;
        let failed = false;
        try {
          const result = await next(args);
          output = result.output as Record<string, unknown>;
          return result;
        } catch (error) {
          failed = (error as { name?: string }).name === "ConditionalCheckFailedException";
          throw error;
        } finally {
          if (recording) {
            const tallying = performance.now();
            const units = unitsOf(command, input, output);
            const site = siteOf(trace, command);
            const item = itemKind(input);
            const key = `${fn}\t${command}\t${site}\t${item}`;
            const row = this.tallies.get(key) ?? {
              fn,
              command,
              site,
              item,
              calls: 0,
              readUnits: 0,
              writeUnits: 0,
              items: 0,
              failedConditions: 0,
              storeMs: 0,
            };
            row.calls++;
            row.storeMs += tallying - started;
            row.readUnits += units.read;
            row.writeUnits += units.write;
            row.items += itemsOf(output);
            if (failed) row.failedConditions++;
            this.tallies.set(key, row);
            this.end(fn, performance.now() - tallying);
          }
        }
      },
      { step: "initialize", name: "storeMeter", priority: "high" },
    );
    return client;
  }

  private functionOf(trace: string, input: Record<string, unknown>): string {
    for (const frame of lambdaFrames(trace)) {
      const role = roleOfFile(frame.file, input.Key as Record<string, unknown> | undefined);
      if (role) return role;
    }
    return this.phase;
  }

  private begin(fn: string, at: number, meterMs: number): void {
    const span = this.spans.get(fn);
    const flying = (this.inFlight.get(fn) ?? 0) + 1;
    this.inFlight.set(fn, flying);
    if (!span) {
      const cpu = cpuNow();
      this.spans.set(fn, {
        firstStart: at,
        lastEnd: at,
        cpuAtFirst: cpu,
        cpuAtLast: cpu,
        peakInFlight: 1,
        meterMs,
      });
    } else {
      span.peakInFlight = Math.max(span.peakInFlight, flying);
      span.meterMs += meterMs;
    }
  }

  private end(fn: string, meterMs: number): void {
    this.inFlight.set(fn, Math.max(0, (this.inFlight.get(fn) ?? 1) - 1));
    const span = this.spans.get(fn);
    if (!span) return;
    span.meterMs += meterMs;
    span.lastEnd = performance.now();
    span.cpuAtLast = cpuNow();
  }
}

/** The store method that made a call (`SeriesStore.putCount`), or the command. */
function siteOf(trace: string, command: string): string {
  const frames = lambdaFrames(trace);
  const method = frames.find((f) => f.file.startsWith("store/") && /^Dynamo\w+\.\w+$/.test(f.name));
  if (method) return method.name.replace(/^Dynamo/, "");
  const any = frames.find((f) => f.name !== "<anonymous>");
  return any ? `${any.name} (${any.file})` : command;
}

/**
 * A document client for `endpoint` whose calls `meter` counts and slows.
 * @example const client = meteredClient(store.endpoint, new StoreMeter(5));
 */
export function meteredClient(endpoint: string, meter: StoreMeter) {
  return meter.instrument(createDocumentClient({ endpoint }));
}
