/**
 * The outcry stack: composes the table, the three functions, their schedules, the
 * notification topic, the HTTP API and the operational alarms, and wires least-privilege
 * grants between them.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CfnOutput, Duration, Stack, type StackProps, Stage } from "aws-cdk-lib";
import type { Construct } from "constructs";
import {
  ATLAS_FILES,
  DASHBOARD_FILE,
  EMBED_PAGE_FILE,
  EMBED_SCRIPT_FILE,
  OPENAPI_FILE,
} from "../contract/bundled-files";
import { REGION_AREAS } from "../contract/regions";
import { atlasPath } from "../dashboard/atlas";
import { buildDashboardHtmlSync, buildEmbedFilesSync } from "../dashboard/build";
import { openApiText } from "../lambdas/api/openapi";
import type { Config } from "../lambdas/domain/config";
import { CHECKPOINT_PARTITION } from "../lambdas/store/detect-checkpoint-store";
import { QUEUE_INDEX } from "../lambdas/store/queue-index";
import { TICK_PARTITION } from "../lambdas/store/shard-progress-store";
import { LEASE_PARTITION } from "../lambdas/store/tick-lease-store";
import { writeBundledConfigs } from "./app-config";
import { sendFailuresTo } from "./constructs/dead-letter-queue";
import { FrontDoor, ORIGIN_SECRET_ROTATION_CONTEXT } from "./constructs/front-door";
import { GeneratedSecret } from "./constructs/generated-secret";
import { grantItems, grantSecretNames, grantSecretValue } from "./constructs/grants";
import { Notifications } from "./constructs/notifications";
import { OperationalAlarms } from "./constructs/operational-alarms";
import { OutcryFunction } from "./constructs/outcry-function";
import { OutcryTable } from "./constructs/outcry-table";
import { PublicApi } from "./constructs/public-api";
import { ScheduledInvocation } from "./constructs/scheduled-invocation";
import { ShardQueue } from "./constructs/shard-queue";
import { SmsDeliveryLogging } from "./constructs/sms-delivery-logging";
import { Webhooks } from "./constructs/webhooks";

/** Properties of an {@link OutcryStack}. */
export interface OutcryStackProps extends StackProps {
  /** The validated configuration (`loadConfigFile`), replay paths absolute. */
  readonly config: Config;
}

const REPOSITORY_ROOT = join(import.meta.dirname, "..");

/**
 * Context key (`cdk deploy -c acknowledgeExampleAddresses=true`) that lets a stack deploy
 * with example addresses (`@example.com` and the like) among its recipients, for a demo.
 */
export const ACKNOWLEDGE_EXAMPLES_CONTEXT = "acknowledgeExampleAddresses";

/**
 * Everything outcry runs on in one AWS account.
 *
 * @example
 * new OutcryStack(app, "Outcry", { config: loadConfigFile("outcry.config.json") });
 */
export class OutcryStack extends Stack {
  public readonly table: OutcryTable;
  public readonly collect: OutcryFunction;
  public readonly detect: OutcryFunction;
  public readonly api: OutcryFunction;
  public readonly notifications: Notifications;
  /** The queues collect and detect hand their shards to. */
  public readonly collectShards: ShardQueue;
  public readonly detectShards: ShardQueue;
  /** The salt that hashes crowd reporters' addresses. */
  public readonly reporterSalt: GeneratedSecret;
  /** The API key secret, when the config asks for keys on read routes. */
  public readonly apiKey: GeneratedSecret | undefined;
  public readonly publicApi: PublicApi;
  /** The CloudFront distribution in front of the API, when the config has `api.frontDoor`. */
  public readonly frontDoor: FrontDoor | undefined;
  public readonly alarms: OperationalAlarms;
  /** The webhook function and its secrets, when the config has webhooks. */
  public readonly webhooks: Webhooks | undefined;
  /** SMS delivery-status logging, when anyone gets texts and the config keeps it on. */
  public readonly smsDeliveryLogging: SmsDeliveryLogging | undefined;

  constructor(scope: Construct, id: string, props: OutcryStackProps) {
    super(scope, id, props);
    const { config } = props;
    const handler = (name: string) => join(REPOSITORY_ROOT, "lambdas", "handlers", `${name}.ts`);
    // Next to the cloud assembly, so it lives exactly as long as the synth output.
    const outdir = Stage.of(this)?.outdir ?? mkdtempSync(join(tmpdir(), "outcry-"));
    const bundled = writeBundledConfigs(config, join(outdir, "outcry-config", this.artifactId));
    const reserved = (fn: "collect" | "detect" | "api" | "webhook") =>
      config.concurrency === "unreserved" ? "unreserved" : config.concurrency[fn];

    // The dashboard page, the OpenAPI document and the report button, made once per synth and shipped
    // beside the api bundle.
    const dashboardFile = join(dirname(bundled.api.configFile), DASHBOARD_FILE);
    writeFileSync(dashboardFile, buildDashboardHtmlSync());
    const openApiFile = join(dirname(bundled.api.configFile), OPENAPI_FILE);
    writeFileSync(openApiFile, openApiText(config.api.auth));
    const embed = buildEmbedFilesSync();
    const embedPageFile = join(dirname(bundled.api.configFile), EMBED_PAGE_FILE);
    writeFileSync(embedPageFile, embed.page);
    const embedScriptFile = join(dirname(bundled.api.configFile), EMBED_SCRIPT_FILE);
    writeFileSync(embedScriptFile, embed.script);
    // The map's atlases, fetched by the page only when it shows a map.
    const atlasFiles = REGION_AREAS.map((area) => {
      const file = join(dirname(bundled.api.configFile), ATLAS_FILES[area]);
      copyFileSync(atlasPath(area), file);
      return file;
    });

    this.table = new OutcryTable(this, "Data");
    this.notifications = new Notifications(this, "Notifications", {
      subscribers: config.subscribers,
      operators: config.operators,
      acknowledgeExampleAddresses:
        String(this.node.tryGetContext(ACKNOWLEDGE_EXAMPLES_CONTEXT)) === "true",
    });
    this.reporterSalt = new GeneratedSecret(this, "ReporterSalt", {
      description: "Salt for hashing crowd reporters' addresses (outcry)",
      length: 64,
      whyNotRotated:
        "Not a credential: a salt for one-way hashes that no other system shares. Rotating it would give every reporter a new id and break the duplicate-report window.",
    });
    // One key per line: add a line, hand out the new key, then delete the old line. The
    // api function reads the secret again every minute.
    this.apiKey =
      config.api.auth === "apiKey"
        ? new GeneratedSecret(this, "ApiKey", {
            description: "API keys for outcry's read routes, one per line (x-api-key header)",
            length: 40,
            whyNotRotated:
              "The key is handed to API clients by hand; automatic rotation would lock them out. Rotate by adding a line, then removing the old one.",
          })
        : undefined;
    const tableName = this.table.table.tableName;
    const tickTimeout = Duration.seconds(50);
    this.collect = new OutcryFunction(this, "Collect", {
      entry: handler("collect"),
      description: "outcry collect: reads sources and stores counts per bucket",
      memorySize: 256,
      timeout: tickTimeout,
      bundledConfig: bundled.collect,
      reservedConcurrency: reserved("collect"),
      environment: { TABLE_NAME: tableName },
    });
    this.detect = new OutcryFunction(this, "Detect", {
      entry: handler("detect"),
      description: "outcry detect: finds peaks and falloffs, notifies",
      memorySize: 512,
      timeout: tickTimeout,
      bundledConfig: bundled.detect,
      reservedConcurrency: reserved("detect"),
      environment: {
        TABLE_NAME: tableName,
        TOPIC_ARN: this.notifications.topic.topicArn,
        NOTIFICATION_DLQ_URL: this.notifications.deadLetterQueue.queueUrl,
      },
    });
    this.api = new OutcryFunction(this, "Api", {
      entry: handler("api"),
      description: "outcry api: query API, crowd reports, dashboard",
      memorySize: 512,
      timeout: Duration.seconds(10),
      bundledConfig: bundled.api,
      reservedConcurrency: reserved("api"),
      files: [dashboardFile, openApiFile, embedPageFile, embedScriptFile, ...atlasFiles],
      environment: {
        TABLE_NAME: tableName,
        REPORTER_SALT_SECRET_ARN: this.reporterSalt.secret.secretArn,
        // Self-service subscriptions are SNS subscriptions of the notification topic.
        TOPIC_ARN: this.notifications.topic.topicArn,
        ...(this.apiKey ? { API_KEY_SECRET_ARN: this.apiKey.secret.secretArn } : {}),
      },
    });

    // Each tick hands out one job per shard of services to its function's queue; the
    // same function works on them, at most `shards.workers` at once. Nothing here grows
    // with the number of services.
    this.collectShards = new ShardQueue(this, "CollectShards", {
      worker: this.collect.function,
      timeout: tickTimeout,
      maxConcurrency: config.shards.workers,
      what: "collect",
    });
    this.detectShards = new ShardQueue(this, "DetectShards", {
      worker: this.detect.function,
      timeout: tickTimeout,
      maxConcurrency: config.shards.workers,
      what: "detect",
    });

    // Each function gets the table actions its code calls, on the items it calls them on
    // (partition keys as the stores in lambdas/store/ write them); test/iam/ proves them.
    const table = this.table.table;
    grantItems(table, this.collect.function, [
      // Counts per bucket and source health: written in place, read back (a source that
      // answers 304 repeats its stored counts; health carries what a source remembers).
      { partitions: ["S#*", "H#*"], actions: ["Query", "UpdateItem"] },
      // Items seen per bucket, so a feed item counts once however often it is read.
      { partitions: ["I#*"], actions: ["GetItem", "Query", "UpdateItem"] },
      // Crowd reports, counted per bucket, of the services the window's markers name
      // (and the item that says from when markers are believed).
      { partitions: ["R#*"], actions: ["Query"] },
      { partitions: ["RW#*"], actions: ["GetItem", "Query"] },
      // Timeline annotations (e.g. Statuspage incident updates).
      { partitions: ["A#*"], actions: ["PutItem"] },
      // The incidents providers' pages state: recorded when first stated, ended when not.
      { partitions: ["UP"], actions: ["UpdateItem"] },
      // How far collect got, and the data version the API's caches follow.
      { partitions: ["PROGRESS"], actions: ["UpdateItem"] },
      // The lease that keeps two workers off one shard: taken and given back.
      { partitions: [LEASE_PARTITION], actions: ["UpdateItem"] },
      // Which shards of a tick are done: each adds itself, the last one finishes the tick.
      { partitions: [TICK_PARTITION], actions: ["UpdateItem"] },
    ]);
    grantItems(table, this.detect.function, [
      // The counts it runs the detector over.
      { partitions: ["S#*"], actions: ["Query"] },
      // Each service's detector state (its packed item and an earlier release's, in one
      // query), saved with a revision check.
      { partitions: ["D#*"], actions: ["Query", "PutItem"] },
      // Each shard's checkpoint: read every tick, written when all its states are saved.
      { partitions: [CHECKPOINT_PARTITION], actions: ["GetItem", "PutItem"] },
      // Incidents: recorded, and listed to find the open ones.
      { partitions: ["INC"], actions: ["PutItem", "Query"] },
      // What providers' pages state, read to name an incident's likely upstream.
      { partitions: ["UP"], actions: ["Query"] },
      // The notification outbox: recorded once, claimed, marked sent, failed or dead.
      { partitions: ["OUTBOX"], actions: ["GetItem", "PutItem", "Query", "UpdateItem"] },
      // The outbox's queues (what is due, the openings sent lately), read through its
      // sparse index: queue names are the index's partition keys.
      { partitions: ["OUTBOX#*"], actions: ["Query"], index: QUEUE_INDEX.name },
      // How far collect got, and the data version it bumps after each tick.
      { partitions: ["PROGRESS"], actions: ["GetItem", "UpdateItem"] },
      // The lease that keeps two workers off one shard: taken and given back.
      { partitions: [LEASE_PARTITION], actions: ["UpdateItem"] },
      // Which shards of a tick are done: each adds itself, the last one finishes the tick.
      { partitions: [TICK_PARTITION], actions: ["UpdateItem"] },
      // Each service's listed status, written when it changes: the record, and the
      // listings of the elevated and the outage ones, which a service joins and leaves.
      { partitions: ["ST#*"], actions: ["PutItem"] },
      { partitions: ["SX#*"], actions: ["PutItem", "DeleteItem"] },
      // The SMS cap: each subscriber's last text per category, read once a round; a text
      // kept back is added to it, a text let through restarts it.
      { partitions: ["CAP"], actions: ["Query", "PutItem", "UpdateItem"] },
      // The self-service subscribers, read once a round for the audiences.
      { partitions: ["SUB"], actions: ["Query"] },
      // Messages held by quiet hours or maintenance: held (refreshed in place), read a
      // page a round, forgotten once their digest is in the outbox; a digest reads the
      // incident it tells of.
      { partitions: ["HELD"], actions: ["Query", "UpdateItem", "DeleteItem"] },
      { partitions: ["INC"], actions: ["GetItem"] },
    ]);
    grantItems(table, this.api.function, [
      // Series, annotations, source health, incidents and an incident's notifications.
      // Detector state (the baseline band, the recovery forecast) too.
      { partitions: ["S#*", "A#*", "H#*", "INC", "OUTBOX", "D#*"], actions: ["Query"] },
      // One incident, the data version (ETags).
      { partitions: ["INC", "PROGRESS"], actions: ["GetItem"] },
      // A page of services: their status records, newest buckets and states, batched.
      { partitions: ["ST#*", "S#*", "D#*"], actions: ["BatchGetItem"] },
      // The services listed as elevated or in an outage (?status=).
      { partitions: ["SX#*"], actions: ["Query"] },
      // POST /reports: one conditional put per report, marked `capped` (UpdateItem) when
      // its network's share of the window is spent.
      { partitions: ["R#*"], actions: ["PutItem", "UpdateItem"] },
      // The marker that a service has reports in a window, put before its first report
      // (and once, the window markers are believed from).
      { partitions: ["RW#*"], actions: ["PutItem"] },
      // The per-network counters of POST /reports: one conditional ADD per new report,
      // read back for an incident's evidence (GET /incidents/{id}).
      { partitions: ["N#*"], actions: ["UpdateItem", "Query"] },
      // Redeemed report challenges: one conditional put each.
      { partitions: ["C#*"], actions: ["PutItem"] },
      // Per-address minute limits of the report and subscription routes, shared by every
      // container.
      { partitions: ["L#*"], actions: ["UpdateItem"] },
      // Self-service subscriptions: recorded, read, confirmed, dropped.
      {
        partitions: ["SUB"],
        actions: ["Query", "GetItem", "PutItem", "UpdateItem", "DeleteItem"],
      },
      // Confirmations sent to one address a day: one conditional ADD per confirmation.
      { partitions: ["SD#*"], actions: ["UpdateItem"] },
    ]);
    this.notifications.grantPublish(this.detect.function);
    this.notifications.grantSubscribe(this.api.function);
    grantSecretValue(this.reporterSalt.secret, this.api.function);
    if (this.apiKey) grantSecretValue(this.apiKey.secret, this.api.function);
    // Sources that sign in (bluesky) read their app passwords: collect may read exactly
    // the secrets the config names, and none when no source signs in.
    grantSecretNames(
      this,
      this.collect.function,
      config.services.flatMap((service) =>
        service.sources.flatMap((source) =>
          source.kind === "bluesky" ? [source.appPasswordSecret] : [],
        ),
      ),
    );

    const every = Duration.minutes(config.scheduleMinutes);
    const collectSchedule = new ScheduledInvocation(this, "CollectSchedule", {
      target: this.collect.function,
      every,
      description: "Runs outcry collect",
    });
    const detectSchedule = new ScheduledInvocation(this, "DetectSchedule", {
      target: this.detect.function,
      every,
      description: "Runs outcry detect",
    });
    // A run that fails goes to its schedule's dead-letter queue (and alarms) instead of
    // being retried: the next scheduled run is the retry, and a late one would only race it.
    for (const [fn, schedule] of [
      [this.collect, collectSchedule],
      [this.detect, detectSchedule],
    ] as const) {
      fn.function.configureAsyncInvoke({
        retryAttempts: 0,
        // An event older than this belongs to a minute the next run covers anyway.
        maxEventAge: Duration.minutes(2),
        onFailure: sendFailuresTo(schedule.deadLetterQueue),
      });
    }
    this.publicApi = new PublicApi(this, "HttpApi", {
      handler: this.api.function,
      rateLimit: config.api.rateLimit,
      burstLimit: config.api.burstLimit,
      auth: config.api.auth,
    });
    // Behind the front door the api function believes the viewer headers of requests that
    // carry the origin secret, and links to the distribution's name.
    const rotation = this.node.tryGetContext(ORIGIN_SECRET_ROTATION_CONTEXT);
    this.frontDoor =
      config.api.frontDoor === false
        ? undefined
        : new FrontDoor(this, "FrontDoor", {
            httpApi: this.publicApi.httpApi,
            priceClass: config.api.frontDoor.priceClass,
            ...(rotation === undefined ? {} : { rotation: String(rotation) }),
          });
    if (this.frontDoor) {
      const secret = this.frontDoor.originSecret.secret;
      this.api.function.addEnvironment("FRONT_DOOR_ORIGIN", this.frontDoor.origin);
      this.api.function.addEnvironment("FRONT_DOOR_SECRET_ARN", secret.secretArn);
      grantSecretValue(secret, this.api.function);
    }

    this.alarms = new OperationalAlarms(this, "Alarms", { operators: config.operators });
    this.alarms.watchFunction("Collect", this.collect.function);
    this.alarms.watchFunction("Detect", this.detect.function);
    this.alarms.watchFunction("Api", this.api.function);
    this.alarms.watchDeadLetterQueue("CollectSchedule", collectSchedule.deadLetterQueue);
    this.alarms.watchDeadLetterQueue("DetectSchedule", detectSchedule.deadLetterQueue);
    this.alarms.watchDeadLetterQueue("Notifications", this.notifications.deadLetterQueue);
    for (const [name, shards] of [
      ["CollectShards", this.collectShards],
      ["DetectShards", this.detectShards],
    ] as const) {
      this.alarms.watchDeadLetterQueue(name, shards.deadLetterQueue);
      this.alarms.watchShardBacklog(
        name,
        shards.queue,
        Duration.minutes(3 * config.scheduleMinutes),
      );
    }
    this.alarms.watchTopicDeliveries("Notifications", this.notifications.topic);
    const texts =
      config.subscribers.some((s) => s.sms !== undefined) ||
      config.operators.some((o) => "sms" in o);
    if (texts) this.alarms.watchSmsSpend(config.sms.monthlySpendLimitUSD);
    this.smsDeliveryLogging =
      texts && config.sms.deliveryStatusLogging
        ? new SmsDeliveryLogging(this, "SmsDeliveryLogging")
        : undefined;
    this.webhooks =
      config.webhooks.length > 0
        ? new Webhooks(this, "Webhooks", {
            webhooks: config.webhooks,
            topic: this.notifications.topic,
            table,
            entry: handler("webhook"),
            bundledConfig: bundled.webhook,
            reservedConcurrency: reserved("webhook"),
            alarmTopic: this.alarms.topic,
            operators: config.operators.flatMap((o) => ("webhook" in o ? [o.webhook] : [])),
          })
        : undefined;
    if (this.webhooks) {
      this.alarms.watchFunction("Webhook", this.webhooks.function.function);
      this.alarms.watchDeadLetterQueue("Webhooks", this.webhooks.deadLetterQueue);
    }

    new CfnOutput(this, "ApiUrl", {
      value: this.publicApi.url,
      description: this.frontDoor
        ? "API Gateway's own URL (viewer headers are not believed here; use FrontDoorUrl)"
        : "Base URL of the API",
    });
    if (this.frontDoor) {
      new CfnOutput(this, "FrontDoorUrl", {
        value: `${this.frontDoor.origin}/`,
        description: "Base URL of the API and the dashboard, through the CloudFront front door",
      });
      new CfnOutput(this, "FrontDoorSecretArn", {
        value: this.frontDoor.originSecret.secret.secretArn,
        description: "Secret of the front door's origin header (rotate it as the README says)",
      });
    }
    new CfnOutput(this, "TopicArn", {
      value: this.notifications.topic.topicArn,
      description: "Topic of outage notifications",
    });
    new CfnOutput(this, "AlarmTopicArn", {
      value: this.alarms.topic.topicArn,
      description: "Subscribe operators here to hear when outcry itself fails",
    });
    new CfnOutput(this, "TableName", { value: tableName, description: "DynamoDB table" });
    if (this.apiKey) {
      new CfnOutput(this, "ApiKeySecretArn", {
        value: this.apiKey.secret.secretArn,
        description: "Secret holding the API keys for read routes (one per line)",
      });
    }
    if (config.api.auth === "iam") {
      new CfnOutput(this, "ApiReadArn", {
        value: this.publicApi.httpApi.arnForExecuteApi("*"),
        description:
          "Allow execute-api:Invoke on this ARN to let a principal read (GET and HEAD; the rest is public)",
      });
    }
  }
}
