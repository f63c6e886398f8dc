/**
 * What the local runtime prints for a tick: one summary line (what was collected, what
 * is open, which sources failed), and a line with the whole error for a source whose
 * failure is new. Offline every HTTP source fails on every tick; one bounded line says
 * so, rather than a screenful of the same errors each minute.
 */
import { toIso } from "../lambdas/domain/buckets";
import type { Config } from "../lambdas/domain/config";
import type { CollectResult } from "../lambdas/usecases/collect-counts";
import type { DetectResult } from "../lambdas/usecases/detect-incidents";

/** Failed sources named in the summary line; the rest are counted. */
export const NAMED_FAILURES = 4;

type Failure = CollectResult["failures"][number];

/** The sources the config gives every service, crowd reports included. */
function sourceCount(config: Config): number {
  return config.services.reduce(
    (sum, s) => sum + s.sources.length + (s.reports.enabled ? 1 : 0),
    0,
  );
}

/** A failure's class as the lines write it, e.g. `network` or `http-status 403`. */
function failureClass(failure: Failure): string {
  return failure.httpStatus === undefined
    ? failure.reason
    : `${failure.reason} ${failure.httpStatus}`;
}

/** The failures in the config's order of services and sources, so lines compare tick to tick. */
function inConfigOrder(config: Config, failures: readonly Failure[]): Failure[] {
  const rank = new Map<string, number>();
  for (const service of config.services) {
    for (const source of [{ id: "reports" }, ...service.sources]) {
      rank.set(`${service.id}/${source.id}`, rank.size);
    }
  }
  const at = (f: Failure) => rank.get(`${f.service}/${f.source}`) ?? rank.size;
  return [...failures].sort((a, b) => at(a) - at(b));
}

/** Services whose newest total lacks a weighted source that failed. */
function partialServices(config: Config, failures: readonly Failure[]): Set<string> {
  const partial = new Set<string>();
  for (const failure of failures) {
    const service = config.services.find((s) => s.id === failure.service);
    const weight =
      failure.source === "reports"
        ? service?.reports.weight
        : service?.sources.find((s) => s.id === failure.source)?.weight;
    if (weight !== undefined && weight > 0) partial.add(failure.service);
  }
  return partial;
}

/**
 * The summary line of a tick, e.g.
 * `[tick 2026-12-07 17:05Z] collected t-mobile=0 (partial) aws=0 | open: none | 2 of 5
 * sources failed: t-mobile/reddit (network), aws/aws-health (timeout)`; past
 * {@link NAMED_FAILURES} failures the rest are counted (`and 9 more`).
 */
export function describeTick(config: Config, collect: CollectResult, detect: DetectResult): string {
  const partial = partialServices(config, collect.failures);
  // In the config's order: collect starts each tick at another service.
  const counts = config.services
    .filter((s) => s.id in collect.latest)
    .map((s) => [s.id, collect.latest[s.id] ?? null] as const)
    .map(([service, count]) => {
      if (count === null) return `${service}=gap`;
      return `${service}=${count}${partial.has(service) ? " (partial)" : ""}`;
    })
    .join(" ");
  const open =
    detect.open.length === 0
      ? "none"
      : detect.open
          .map((i) => `${i.service} (peak ${i.peak.count.toLocaleString("en-US")})`)
          .join(", ");
  const bucket = toIso(collect.bucketStart).slice(0, 16).replace("T", " ");
  return `[tick ${bucket}Z] collected ${counts} | open: ${open}${describeFailed(config, collect.failures)}`;
}

/** The summary's part naming the failed sources; empty when none failed. */
function describeFailed(config: Config, failures: readonly Failure[]): string {
  if (failures.length === 0) return "";
  const ordered = inConfigOrder(config, failures);
  const named = ordered
    .slice(0, NAMED_FAILURES)
    .map((f) => `${f.service}/${f.source} (${failureClass(f)})`);
  const rest = ordered.length - named.length;
  const more = rest > 0 ? `, and ${rest} more` : "";
  // With more than one class, how many of each, so the unnamed rest is not unknown.
  const classes = new Map<string, number>();
  for (const f of ordered) classes.set(f.reason, (classes.get(f.reason) ?? 0) + 1);
  const tally =
    classes.size > 1 ? ` (${[...classes].map(([reason, n]) => `${n} ${reason}`).join(", ")})` : "";
  return ` | ${failures.length} of ${sourceCount(config)} sources failed${tally}: ${named.join(", ")}${more}`;
}

/**
 * The lines with the whole message of each source whose failure is new since the last
 * tick, or has changed class: locally the operator reads the terminal, as they read the
 * logs in AWS, but the same error every tick says nothing new. Public answers give only
 * the failure's class; `GET /services/{id}` gives each source's health.
 */
export class FailureLines {
  /** `service/source` → the class it last failed with. */
  private readonly failing = new Map<string, string>();

  /** The lines for this tick's failures; forgets the sources that did not fail. */
  lines(config: Config, collect: CollectResult): string[] {
    const now = new Map(collect.failures.map((f) => [`${f.service}/${f.source}`, f]));
    const lines: string[] = [];
    for (const failure of inConfigOrder(config, collect.failures)) {
      const key = `${failure.service}/${failure.source}`;
      const shown = failureClass(failure);
      if (this.failing.get(key) === shown) continue;
      this.failing.set(key, shown);
      lines.push(`  ${key} failed (${shown}): ${failure.error}`);
    }
    for (const key of [...this.failing.keys()]) {
      if (!now.has(key)) this.failing.delete(key);
    }
    return lines;
  }
}
