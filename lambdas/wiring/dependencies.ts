/**
 * Wires the stores, sources and notifiers the use cases need. The Lambda handlers build
 * them from their environment once per container; the local runtime calls the same
 * function with its own endpoint, clock and notifiers.
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { EmbedFiles } from "../../contract/bundled-files";
import type { RegionArea } from "../../contract/regions";
import { ResponseCache } from "../api/response-cache";
import type { ApiDependencies } from "../api/routes";
import type { TrustedEdge } from "../api/trusted-edge";
import { recipientsOf } from "../domain/audience";
import type { Config, Service } from "../domain/config";
import type { CountSource } from "../domain/count-source";
import { inMaintenance } from "../domain/maintenance";
import type { DeadLetterQueue, Notifier, OutboxMessage, TickLeaseStore } from "../domain/ports";
import { PerMinuteRateLimiter } from "../domain/rate-limiter";
import { recipientOfSubscription } from "../domain/subscription";
import type { SubscriptionGateway } from "../domain/subscription-ports";
import type { SourceStores } from "../sources/sources-for-service";
import { DynamoAnnotationStore } from "../store/annotation-store";
import { createDocumentClient, type TableRef } from "../store/client";
import { DynamoDetectCheckpointStore } from "../store/detect-checkpoint-store";
import { DynamoDetectorStateStore } from "../store/detector-state-store";
import { DynamoHeldStore } from "../store/held-store";
import { DynamoIncidentStore } from "../store/incident-store";
import { DynamoOutboxStore } from "../store/outbox-store";
import { DynamoProgressStore } from "../store/progress-store";
import { DynamoSharedRateLimit } from "../store/rate-limit-store";
import { DynamoReportStore } from "../store/report-store";
import { DynamoSeenItemsStore } from "../store/seen-items-store";
import { DynamoSeriesStore } from "../store/series-store";
import { DynamoServiceStatusStore } from "../store/service-status-store";
import { DynamoShardProgressStore } from "../store/shard-progress-store";
import { DynamoSmsCapStore } from "../store/sms-cap-store";
import { DynamoSourceHealthStore } from "../store/source-health-store";
import { DynamoSpentChallenges } from "../store/spent-challenge-store";
import { DynamoStatedIncidentStore } from "../store/stated-incident-store";
import { DynamoSubscriptionStore } from "../store/subscription-store";
import { DynamoTickLeaseStore } from "../store/tick-lease-store";
import type { CollectDependencies } from "../usecases/collect-counts";
import { DELIVERY_BUDGET_MS } from "../usecases/deliver-notifications";
import type { DetectDependencies } from "../usecases/detect-incidents";

/** What differs between AWS and a laptop. */
export interface RuntimeSettings {
  config: Config;
  tableName: string;
  /** A local DynamoDB-compatible endpoint; absent in AWS. */
  endpoint?: string;
  /** A ready document client (benchmarks count its requests); overrides `endpoint`. */
  client?: DynamoDBDocumentClient;
  notifiers: () => Notifier[];
  /**
   * Builds a service's sources; only collect reads sources, so only its entry point (and
   * the local runtime) passes `sourcesForService`, keeping the adapters out of the other
   * bundles.
   */
  sources?: (service: Service, stores: SourceStores) => CountSource[];
  /** Where notifications that keep failing go; built on first use, like the notifiers. */
  deadLetters?: () => DeadLetterQueue;
  salt: () => Promise<string>;
  /** The dashboard page (built in memory locally, read from the bundle in AWS). */
  dashboard?: () => Promise<string>;
  /** The report button's page and loader (built in memory locally, read from the bundle in AWS). */
  embed?: () => Promise<EmbedFiles>;
  /** The map's atlas of an area (read locally, from the bundle in AWS). */
  atlas?: (area: RegionArea) => Promise<string>;
  /** The OpenAPI document as JSON text (generated locally, read from the bundle in AWS). */
  openApi?: () => Promise<string>;
  /**
   * What delivers to self-service subscribers (SNS in AWS, a stand-in locally); built on
   * first use. Without it the subscription routes answer 404.
   */
  subscriptionGateway?: () => SubscriptionGateway;
  /** The API keys, when `api.auth` is apiKey (loaded once, cached by the caller). */
  apiKeys?: () => Promise<readonly string[]>;
  /**
   * The CloudFront front door (AWS only, when `api.frontDoor` is on): the only source of
   * the viewer headers the API believes.
   */
  edge?: TrustedEdge;
  now: () => number;
}

/** Every use case's dependencies over one table. */
export interface Dependencies {
  collect: CollectDependencies;
  detect: DetectDependencies;
  api: ApiDependencies;
  /** The leases that keep two workers off one shard (see `handlers/shard-worker.ts`). */
  leases: TickLeaseStore;
}

/**
 * Builds the dependencies of every use case.
 * @example const deps = buildDependencies({ config, tableName: "outcry", notifiers: () => [], salt, now: Date.now });
 */
export function buildDependencies(settings: RuntimeSettings): Dependencies {
  const { config } = settings;
  const table: TableRef = {
    client:
      settings.client ??
      createDocumentClient(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    tableName: settings.tableName,
  };
  const series = new DynamoSeriesStore(table, config.retentionDays);
  const shards = new DynamoShardProgressStore(table);
  const states = new DynamoDetectorStateStore(table);
  const incidents = new DynamoIncidentStore(table, config.retentionDays);
  const outbox = new DynamoOutboxStore(table);
  const health = new DynamoSourceHealthStore(table);
  const reports = new DynamoReportStore(table, {
    bucketMinutes: config.bucketMinutes,
    dedupMinutes: config.reports.dedupMinutes,
    shards: config.reports.shards,
    perNetwork: config.reports.perNetwork,
    retentionDays: config.retentionDays,
  });
  const annotations = new DynamoAnnotationStore(table, config.retentionDays);
  const stated = new DynamoStatedIncidentStore(table, config.retentionDays);
  const progress = new DynamoProgressStore(table);
  const statuses = new DynamoServiceStatusStore(table);
  const seen = new DynamoSeenItemsStore(table, config.retentionDays);
  const subscriptions = new DynamoSubscriptionStore(table);
  let gateway: SubscriptionGateway | undefined;
  const sources = new Map(
    config.services.map((service) => [
      service.id,
      settings.sources?.(service, { reports, seen }) ?? [],
    ]),
  );
  // Notifiers are made on first use: only detect delivers, and only detect's environment
  // names the topic.
  let notifiers: Notifier[] | undefined;
  let deadLetters: DeadLetterQueue | undefined;
  const serviceById = new Map(config.services.map((s) => [s.id, s]));
  const deliverer = {
    get notifiers() {
      notifiers ??= settings.notifiers();
      return notifiers;
    },
    get deadLetters() {
      deadLetters ??= settings.deadLetters?.();
      return deadLetters;
    },
    groupWindowMs: config.notifications.groupWindowMinutes * 60_000,
    recipients: recipientsOf(config),
    // A self-service subscriber joins audiences once it may hear (see domain/subscription.ts),
    // and keeps hearing if the form is closed later: it unsubscribes itself.
    selfSubscribers: async () =>
      (await subscriptions.all()).flatMap((s) => recipientOfSubscription(s) ?? []),
    // A round stops claiming after this long, well inside detect's 50 s timeout once
    // detection has run; what is left goes out on the next tick.
    budgetMs: DELIVERY_BUDGET_MS,
    smsCap: {
      store: new DynamoSmsCapStore(table),
      capMs: config.notifications.smsCapMinutes * 60_000,
      timeZoneOf: (service: string) => serviceById.get(service)?.timeZone ?? "UTC",
    },
    // Kept from someone by quiet hours or maintenance: a digest when the window ends.
    holding: {
      store: new DynamoHeldStore(table),
      incidents,
      timeZoneOf: (service: string) => serviceById.get(service)?.timeZone ?? "UTC",
    },
    heldBack: (message: OutboxMessage) => {
      const service = serviceById.get(message.service);
      return service
        ? inMaintenance(service.maintenance, service.timeZone, message.createdAt)
        : false;
    },
  };
  return {
    leases: new DynamoTickLeaseStore(table),
    collect: {
      config,
      series,
      health,
      annotations,
      stated,
      progress,
      shards,
      sourcesFor: (id) => sources.get(id) ?? [],
    },
    detect: {
      config,
      series,
      states,
      incidents,
      outbox,
      progress,
      shards,
      checkpoints: new DynamoDetectCheckpointStore(table, settings.now),
      statuses,
      stated,
      deliverer,
      now: settings.now,
    },
    api: {
      config,
      rateLimiter: new PerMinuteRateLimiter(),
      rateLimits: new DynamoSharedRateLimit(table),
      annotations,
      series,
      states,
      statuses,
      incidents,
      health,
      reports,
      outbox,
      salt: settings.salt,
      spentChallenges: new DynamoSpentChallenges(table),
      subscriptions,
      get gateway() {
        gateway ??= settings.subscriptionGateway?.();
        return gateway;
      },
      progress,
      responses: new ResponseCache(),
      ...(config.api.frontDoor !== false && settings.edge ? { edge: settings.edge } : {}),
      access: {
        mode: config.api.auth,
        keys:
          settings.apiKeys ??
          (() => Promise.reject(new Error("this runtime has no API keys; set api.auth to none"))),
      },
      dashboard:
        settings.dashboard ??
        (() => Promise.reject(new Error("this runtime was built without the dashboard page"))),
      embed:
        settings.embed ??
        (() => Promise.reject(new Error("this runtime was built without the report button"))),
      atlas:
        settings.atlas ??
        (() => Promise.reject(new Error("this runtime was built without the map's atlases"))),
      openApi:
        settings.openApi ??
        (() => Promise.reject(new Error("this runtime was built without the OpenAPI document"))),
      now: settings.now,
    },
  };
}
