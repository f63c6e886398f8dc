/**
 * The local runtime: the whole pipeline on a laptop. It starts the embedded store, fires
 * the collect and detect handlers on the configured cadence with EventBridge-shaped
 * events, and serves the api handler over HTTP with API-Gateway-shaped events. Only the
 * clock, the store endpoint and the notification channels differ from AWS.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ScheduledEvent } from "aws-lambda";
import { atlasPath } from "../dashboard/atlas";
import { buildDashboardHtml, buildEmbedFiles, type EmbedFiles } from "../dashboard/build";
import { openApiText } from "../lambdas/api/openapi";
import { toIso } from "../lambdas/domain/buckets";
import type { Config } from "../lambdas/domain/config";
import type { Notifier } from "../lambdas/domain/ports";
import type { ShardJob } from "../lambdas/domain/shards";
import { createApiHandler } from "../lambdas/handlers/api";
import { createCollectHandler } from "../lambdas/handlers/collect";
import { createDetectHandler } from "../lambdas/handlers/detect";
import type { ShardBatchResult } from "../lambdas/handlers/shard-worker";
import { type OutboundPolicy, PUBLIC_ONLY } from "../lambdas/http/outbound-policy";
import { ConsoleNotifier, OutboxFileNotifier } from "../lambdas/notify/console-notifier";
import { FileDeadLetterQueue } from "../lambdas/notify/dead-letters";
import { localWebhookNotifiers } from "../lambdas/notify/webhook-notifier";
import { sourcesForService } from "../lambdas/sources/sources-for-service";
import type { CollectResult } from "../lambdas/usecases/collect-counts";
import type { DeliveryResult } from "../lambdas/usecases/deliver-notifications";
import type { DetectResult } from "../lambdas/usecases/detect-incidents";
import type { DetectDispatch } from "../lambdas/usecases/dispatch-detect";
import { runBounded } from "../lambdas/usecases/run-bounded";
import { buildDependencies } from "../lambdas/wiring/dependencies";
import { EnvironmentSecretReader } from "../lambdas/wiring/secret-readers";
import { startApiServer } from "./api-server";
import { type EmbeddedStore, startEmbeddedStore } from "./embedded-store";
import { localContext } from "./lambda-context";
import { LocalSns } from "./local-sns";
import type { TrustedProxies } from "./request-address";
import { InProcessShardQueue, sqsEvent } from "./shard-queue";
import { describeTick, FailureLines } from "./tick-lines";

/** A clock the runtime and the handlers share. */
export interface Clock {
  now(): number;
  /** Called after each tick; a virtual clock moves forward here. */
  advance?(): void;
}

/** Options of {@link startLocalRuntime}. */
export interface LocalRuntimeOptions {
  config: Config;
  /** Folder for the store, the salt and the outbox file; created on first run. */
  dataDir: string;
  /** HTTP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Real milliseconds between ticks; defaults to the config's schedule. */
  tickMs?: number;
  /**
   * Proxies of yours whose `X-Forwarded-For` is believed (`--trust-proxy`); by default
   * none, and the client address is the socket's.
   */
  trustedProxies?: TrustedProxies | null;
  /**
   * Where the sources and webhooks may send requests: public addresses only unless
   * given (`npm start -- --allow-private-networks` opens private networks).
   */
  outbound?: OutboundPolicy;
  clock?: Clock;
  /**
   * Where readable lines go: one per tick, one per source whose failure is new (with the
   * whole error), one per notification.
   */
  print?: (line: string) => void;
  /** Extra notifiers beside the console and the outbox file. */
  notifiers?: Notifier[];
  /** Start ticking at once (default); false leaves ticks to {@link LocalRuntime.tick}. */
  autoTick?: boolean;
  /**
   * The document client every store uses, made for the embedded store's endpoint
   * (benchmarks count, price and slow its calls); by default a plain one.
   */
  storeClient?: (endpoint: string) => DynamoDBDocumentClient;
}

/** A shard job that failed every delivery, as SQS would move it to the dead-letter queue. */
export interface DeadShard {
  job: ShardJob;
  error: string;
}

/** What one local tick did: collect and detect over every shard, merged. */
export interface LocalTick {
  collect: CollectResult;
  detect: DetectResult;
  /** Each shard's own result, in the order they finished. */
  shards: { collect: CollectResult[]; detect: DetectResult[] };
  /** How long each shard job took, deliveries again included, in milliseconds (real time). */
  shardMs: { collect: number[]; detect: number[] };
  /** Jobs that failed all {@link SHARD_ATTEMPTS} deliveries. */
  dead: DeadShard[];
}

/** A running local runtime. */
export interface LocalRuntime {
  url: string;
  outboxFile: string;
  /** The embedded store's endpoint (for scripts and tests that read it directly). */
  storeEndpoint: string;
  /** Runs one collect + detect tick now (waits for a running one first). */
  tick(): Promise<LocalTick>;
  /** Stops ticking, finishes the running tick, closes the server and the store. */
  stop(): Promise<void>;
}

const TABLE_NAME = "outcry";

/** A random secret kept in the data directory (the reporter salt, the API key). */
async function loadOrCreateSecret(dataDir: string, name: string): Promise<string> {
  const file = join(dataDir, name);
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const secret = randomBytes(32).toString("hex");
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

/** The event EventBridge sends a scheduled target. */
export function scheduledEvent(rule: string, timeMs: number): ScheduledEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: "000000000000",
    time: toIso(timeMs),
    region: "local",
    resources: [`arn:aws:events:local:000000000000:rule/${rule}`],
    detail: {},
  };
}

/** Deliveries of a shard job before it counts as dead, as the queues' receive limit in AWS. */
export const SHARD_ATTEMPTS = 3;

const NO_DELIVERY: DeliveryResult = { sent: [], failed: [], dead: [], heldBack: [] };

/** The shards' collect results as one. */
function mergeCollect(results: readonly CollectResult[], bucketStart: number): CollectResult {
  return {
    bucketStart,
    shard: { index: 0, count: 1 },
    tickComplete: results.some((r) => r.tickComplete),
    latest: Object.assign({}, ...results.map((r) => r.latest)),
    failures: results.flatMap((r) => r.failures),
  };
}

/** The shards' detect results as one; the delivery is the finishing shard's. */
function mergeDetect(results: readonly DetectResult[], through: number): DetectResult {
  return {
    through,
    shard: { index: 0, count: 1 },
    tickComplete: results.some((r) => r.tickComplete),
    skipped: results.every((r) => r.skipped),
    buckets: results.reduce((sum, r) => sum + r.buckets, 0),
    transitions: results.flatMap((r) => r.transitions),
    conflicts: results.flatMap((r) => r.conflicts),
    open: results.flatMap((r) => r.open),
    delivery: results.find((r) => r.tickComplete)?.delivery ?? NO_DELIVERY,
  };
}

/**
 * Starts the local runtime.
 * @example
 * const runtime = await startLocalRuntime({ config, dataDir: ".outcry", port: 3000 });
 * // ... later
 * await runtime.stop();
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? { now: Date.now };
  const outbound = options.outbound ?? PUBLIC_ONLY;
  await mkdir(options.dataDir, { recursive: true });
  const salt = await loadOrCreateSecret(options.dataDir, "salt");
  const { auth } = options.config.api;
  const apiKey = auth === "apiKey" ? await loadOrCreateSecret(options.dataDir, "api-key") : null;
  if (apiKey)
    print(
      `reads need the API key in x-api-key: ${apiKey} (kept in ${join(options.dataDir, "api-key")})`,
    );
  if (auth === "iam") {
    print("api.auth is iam: API Gateway checks signatures in AWS; locally, reads are open");
  }
  let dashboard: Promise<string> | undefined;
  let embed: Promise<EmbedFiles> | undefined;
  const outboxFile = join(options.dataDir, "outbox.jsonl");
  const store: EmbeddedStore = await startEmbeddedStore({
    dataDir: join(options.dataDir, "db"),
    tableName: TABLE_NAME,
  });

  let baseUrl = "";
  const sns = new LocalSns({
    file: join(options.dataDir, "sns-subscriptions.json"),
    outboxFile,
    baseUrl: () => baseUrl,
    print,
    now: () => clock.now(),
  });
  const deps = buildDependencies({
    config: options.config,
    tableName: store.tableName,
    endpoint: store.endpoint,
    ...(options.storeClient ? { client: options.storeClient(store.endpoint) } : {}),
    notifiers: () => [
      new ConsoleNotifier((text) => print(text.trimEnd())),
      new OutboxFileNotifier(outboxFile),
      ...localWebhookNotifiers(options.config.webhooks, print, outbound),
      // Self-service subscribers, as SNS would deliver to them.
      sns,
      ...(options.notifiers ?? []),
    ],
    subscriptionGateway: () => sns,
    deadLetters: () => new FileDeadLetterQueue(join(options.dataDir, "dead-letters.jsonl")),
    // A laptop has no Secrets Manager: a source's secret comes from OUTCRY_SECRET_<NAME>.
    sources: (service, stores) =>
      sourcesForService(service, { ...stores, secrets: new EnvironmentSecretReader() }, outbound),
    salt: async () => salt,
    apiKeys: async () => (apiKey ? [apiKey] : []),
    // Built on first request, as the Lambda reads it on first request.
    dashboard: () => {
      dashboard ??= buildDashboardHtml();
      return dashboard;
    },
    embed: () => {
      embed ??= buildEmbedFiles();
      return embed;
    },
    atlas: (area) => readFile(atlasPath(area), "utf8"),
    openApi: async () => openApiText(auth),
    now: () => clock.now(),
  });
  const now = () => clock.now();
  const collectQueue = new InProcessShardQueue();
  const detectQueue = new InProcessShardQueue();
  // The tick lines below say what failed; the handler's JSON line per failure is for AWS.
  const collect = createCollectHandler(
    () => deps.collect,
    () => deps.leases,
    () => collectQueue,
    now,
    { logSourceFailures: false },
  );
  const detect = createDetectHandler(
    () => deps.detect,
    () => deps.leases,
    () => detectQueue,
    now,
  );
  const api = createApiHandler(() => deps.api);

  const server = await startApiServer({
    port: options.port,
    // SNS's confirmation and unsubscribe links are served beside the API, as SNS would.
    handler: async (event) => (await sns.handle(event)) ?? api(event, localContext("outcry-api")),
    now: () => clock.now(),
    trustedProxies: options.trustedProxies ?? null,
    print,
  });

  baseUrl = server.url;
  const failureLines = new FailureLines();
  let running: Promise<LocalTick> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  /**
   * Hands each job to `handler` as its queue would, at most `shards.workers` at once;
   * a job that fails is delivered again, up to {@link SHARD_ATTEMPTS} times.
   */
  const work = async <R>(
    name: string,
    handler: (
      event: ReturnType<typeof sqsEvent>,
      context: ReturnType<typeof localContext>,
    ) => Promise<unknown>,
    jobs: readonly ShardJob[],
    dead: DeadShard[],
    durations: number[],
  ): Promise<R[]> => {
    const results: R[] = [];
    const sentAt = clock.now();
    const tasks = jobs.map((job) => async () => {
      const started = performance.now();
      try {
        await deliver(job);
      } finally {
        durations.push(performance.now() - started);
      }
    });
    const deliver = async (job: ShardJob) => {
      let error = "";
      for (let attempt = 1; attempt <= SHARD_ATTEMPTS; attempt++) {
        const batch = (await handler(
          sqsEvent(job, name, sentAt, attempt),
          localContext(name),
        )) as ShardBatchResult<R>;
        results.push(...batch.results);
        if (batch.batchItemFailures.length === 0) return;
        error = batch.errors.map((e) => e.error).join("; ");
      }
      dead.push({ job, error });
      print(
        `[shard failed] ${job.kind} shard ${job.shard.index + 1}/${job.shard.count} failed ${SHARD_ATTEMPTS} times: ${error}`,
      );
    };
    await runBounded(tasks, options.config.shards.workers);
    return results;
  };

  const runTick = async (): Promise<LocalTick> => {
    const at = clock.now();
    const dead: DeadShard[] = [];
    const shardMs: LocalTick["shardMs"] = { collect: [], detect: [] };
    await collect(scheduledEvent("outcry-collect", at), localContext("outcry-collect"));
    const collected = await work<CollectResult>(
      "outcry-collect",
      collect,
      collectQueue.take(),
      dead,
      shardMs.collect,
    );
    const dispatched = (await detect(
      scheduledEvent("outcry-detect", at),
      localContext("outcry-detect"),
    )) as DetectDispatch;
    const jobs = detectQueue.take();
    const detected = await work<DetectResult>("outcry-detect", detect, jobs, dead, shardMs.detect);
    const result: LocalTick = {
      collect: mergeCollect(collected, collected[0]?.bucketStart ?? at),
      detect: mergeDetect(detected, jobs[0]?.through ?? at),
      shards: { collect: collected, detect: detected },
      shardMs,
      dead,
    };
    // What the hand-out delivered for earlier ticks counts with this tick's delivery (a
    // new object: the tick's may be the shared NO_DELIVERY).
    const [before, after] = [dispatched.delivery, result.detect.delivery];
    const capNotes = [...(before.capNotes ?? []), ...(after.capNotes ?? [])];
    result.detect.delivery = {
      sent: [...before.sent, ...after.sent],
      failed: [...before.failed, ...after.failed],
      dead: [...before.dead, ...after.dead],
      heldBack: [...before.heldBack, ...after.heldBack],
      ...(capNotes.length > 0 ? { capNotes } : {}),
    };
    // The API runs in this process: it reads the data version again at once rather than
    // up to a second later, as a separate function would.
    deps.api.responses.forgetVersion();
    print(describeTick(options.config, result.collect, result.detect));
    for (const line of failureLines.lines(options.config, result.collect)) print(line);
    clock.advance?.();
    return result;
  };
  const tick = async () => {
    while (running) await running.catch(() => undefined);
    running = runTick();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };
  const tickMs = options.tickMs ?? options.config.scheduleMinutes * 60_000;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await tick();
      } catch (error) {
        print(`[tick failed] ${(error as Error).message}`);
      }
      schedule();
    }, tickMs);
  };
  if (options.autoTick ?? true) {
    // The first tick runs at once so a new user sees a line straight away.
    tick()
      .catch((error) => print(`[tick failed] ${(error as Error).message}`))
      .finally(schedule);
  }

  return {
    url: server.url,
    outboxFile,
    storeEndpoint: store.endpoint,
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      while (running) await running.catch(() => undefined);
      await server.close();
      await store.close();
    },
  };
}
