/**
 * List prices and the monthly model the cost and scale benches print: what a service
 * costs a month from what one tick measured per service.
 *
 * Prices: us-east-1, on-demand list prices without the free tiers. DynamoDB on demand
 * since its November 2024 reduction: USD 0.625 per million write request units and
 * 0.125 per million read request units. Lambda on arm64: USD 0.20 per million requests
 * and 0.0000133334 per GB-second. SQS standard: 0.40 per million requests (64 KB each).
 * SNS: 0.50 per million publishes (deliveries extra). API Gateway HTTP API: 1.00 per
 * million requests (the first 300 million a month, 512 KB each).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const PRICES = {
  region: "us-east-1",
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
  sqsRequest: 0.4 / 1e6,
  snsPublish: 0.5 / 1e6,
  httpApiRequest: 1.0 / 1e6,
} as const;

/**
 * Receives the Lambda pollers make on the two shard queues when they are empty, a
 * minute, whatever the fleet: a queue with maximum concurrency set keeps five pollers
 * (Lambda scales idle pollers down to two only without it), each long polling for 20 s,
 * so three receives a minute each. A fixed cost of the deployment, divided over its
 * services.
 */
export const SQS_IDLE_RECEIVES_PER_MINUTE = 2 * 5 * 3;

/** The target: DynamoDB per service-month, USD. */
export const DYNAMO_TARGET_PER_SERVICE_MONTH = 0.05;

/** Minutes in the month the model prices (30 days). */
export const MINUTES_PER_MONTH = 30 * 24 * 60;

/** Memory in MB that makes one full vCPU in Lambda (CPU share grows with memory). */
export const LAMBDA_MB_PER_VCPU = 1769;

/** A function's memory and timeout as the stack configures them. */
export interface FunctionSettings {
  memoryMb: number;
  timeoutS: number;
}

const FALLBACK: Record<string, FunctionSettings> = {
  collect: { memoryMb: 256, timeoutS: 50 },
  detect: { memoryMb: 512, timeoutS: 50 },
  api: { memoryMb: 512, timeoutS: 10 },
  webhook: { memoryMb: 256, timeoutS: 30 },
};

/**
 * Memory and timeout of each function, read from `lib/` (`new OutcryFunction(this,
 * "Collect", { … memorySize: 256, timeout: Duration.seconds(50) …`), by lower-case id;
 * the values of today's stack where the text does not say.
 */
export function functionSettings(): Record<string, FunctionSettings> {
  const settings: Record<string, FunctionSettings> = { ...FALLBACK };
  const lib = join(import.meta.dirname, "..", "..", "lib");
  for (const file of ["outcry-stack.ts", "constructs/webhooks.ts"]) {
    let text: string;
    try {
      text = readFileSync(join(lib, file), "utf8");
    } catch {
      continue;
    }
    const pattern = /new OutcryFunction\(\s*this,\s*"(\w+)",\s*\{([\s\S]*?)\n\s*\}\);/g;
    for (const [, id = "", body = ""] of text.matchAll(pattern)) {
      const memory = /memorySize:\s*(\d+)/.exec(body)?.[1];
      const timeout = /timeout:\s*Duration\.seconds\((\d+)\)/.exec(body)?.[1];
      const name = id.toLowerCase();
      const known = settings[name] ?? FALLBACK.collect;
      settings[name] = {
        memoryMb: memory ? Number(memory) : (known?.memoryMb ?? 256),
        timeoutS: timeout ? Number(timeout) : (known?.timeoutS ?? 50),
      };
    }
  }
  return settings;
}

/** What one tick cost, per service of the fleet. */
export interface PerServiceTick {
  /** DynamoDB units per service per tick, by function. */
  dynamo: Record<string, { read: number; write: number }>;
  /** Lambda per service per tick, by function: invocations and GB-seconds. */
  lambda: Record<string, { invocations: number; gbSeconds: number }>;
  sqsRequests: number;
  /** The pollers' receives on empty queues (see {@link SQS_IDLE_RECEIVES_PER_MINUTE}). */
  sqsIdleRequests: number;
  snsPublishes: number;
  apiRequests: number;
}

/** One line of the monthly model: USD per service-month. */
export interface CostLine {
  item: string;
  usd: number;
  detail: string;
}

const usd = (n: number) => (n >= 0.01 ? n.toFixed(3) : n.toFixed(4));

/** The monthly model per service from per-tick figures at a schedule of `scheduleMinutes`. */
export function monthlyModel(perTick: PerServiceTick, scheduleMinutes: number): CostLine[] {
  const ticks = MINUTES_PER_MONTH / scheduleMinutes;
  const lines: CostLine[] = [];
  const order = (fn: string) => {
    const i = ["collect", "detect", "api"].indexOf(fn);
    return i < 0 ? 3 : i;
  };
  const byRole = <T>(entries: [string, T][]) =>
    entries.sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b));
  for (const [fn, units] of byRole(Object.entries(perTick.dynamo))) {
    const read = units.read * ticks;
    const write = units.write * ticks;
    lines.push({
      item: `DynamoDB ${fn}`,
      usd: read * PRICES.dynamoReadUnit + write * PRICES.dynamoWriteUnit,
      detail: `${Math.round(write).toLocaleString("en-US")} WRU + ${Math.round(read).toLocaleString("en-US")} RRU`,
    });
  }
  for (const [fn, figures] of byRole(Object.entries(perTick.lambda))) {
    const invocations = figures.invocations * ticks;
    const gbSeconds = figures.gbSeconds * ticks;
    lines.push({
      item: `Lambda ${fn}`,
      usd: invocations * PRICES.lambdaRequest + gbSeconds * PRICES.lambdaArmGbSecond,
      detail: `${invocations.toFixed(1)} invocations, ${gbSeconds.toFixed(2)} GB-s`,
    });
  }
  lines.push({
    item: "SQS",
    usd: perTick.sqsRequests * ticks * PRICES.sqsRequest,
    detail: `${(perTick.sqsRequests * ticks).toFixed(1)} requests`,
  });
  lines.push({
    item: "SQS idle polling",
    usd: perTick.sqsIdleRequests * ticks * PRICES.sqsRequest,
    detail: `${(perTick.sqsIdleRequests * ticks).toFixed(1)} empty receives (fixed, shared)`,
  });
  lines.push({
    item: "SNS",
    usd: perTick.snsPublishes * ticks * PRICES.snsPublish,
    detail: `${(perTick.snsPublishes * ticks).toFixed(2)} publishes (deliveries extra)`,
  });
  lines.push({
    item: "API Gateway",
    usd: perTick.apiRequests * ticks * PRICES.httpApiRequest,
    detail: `${(perTick.apiRequests * ticks).toFixed(1)} requests`,
  });
  return lines;
}

/** DynamoDB's part of a model. */
export function dynamoOf(lines: readonly CostLine[]): number {
  return lines.filter((l) => l.item.startsWith("DynamoDB")).reduce((sum, l) => sum + l.usd, 0);
}

/** The model as a Markdown table a README can take as it is. */
export function formatModel(lines: readonly CostLine[]): string[] {
  const dynamo = dynamoOf(lines);
  const total = lines.reduce((sum, l) => sum + l.usd, 0);
  const over = dynamo > DYNAMO_TARGET_PER_SERVICE_MONTH;
  const rows: [string, string, string][] = [
    ...lines.map((l) => [l.item, usd(l.usd), l.detail] as [string, string, string]),
    [
      "**DynamoDB total**",
      `**${usd(dynamo)}**`,
      `target ≤ ${DYNAMO_TARGET_PER_SERVICE_MONTH}${over ? " OVER" : ""}`,
    ],
    ["**total**", `**${usd(total)}**`, ""],
  ];
  const widths = [0, 1, 2].map((i) =>
    Math.max(
      ...rows.map((r) => r[i]?.length ?? 0),
      ["item", "USD per service-month", "per service-month"][i]?.length ?? 0,
    ),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [
    line(["item", "USD per service-month", "per service-month"]),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.map(line),
  ];
}
