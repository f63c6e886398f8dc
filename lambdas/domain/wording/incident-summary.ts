/**
 * The readable timeline of an incident, in the words of a newsroom (DESIGN, "Timeline
 * phrasing"): an email paragraph, a one-line subject, and an SMS written to fit one part.
 * One implementation serves notifications, the API and the backtest, so all three say the
 * same thing about the same incident.
 */
import { DAY_MS } from "../buckets";
import type { Service } from "../config";
import type { Falloff, Incident, IncidentSummary } from "../incident";
import type { ReportMix } from "../report-mix";
import { cutAtWord, joinAnd, SUBJECT_MAX_LENGTH, smsFits } from "./fitting";
import { canWriteInGsm7, toGsm7 } from "./gsm7";
import { about, moreThan, reportsNoun } from "./numbers";
import { mostlyPhrase, whereSentence, whereSms } from "./report-mix-phrases";
import {
  formatDuration,
  formatGmt,
  formatLocalDate,
  formatLocalTime,
  formatTimeWithGmt,
} from "./times";

export { SMS_MAX_SEPTETS, SUBJECT_MAX_LENGTH } from "./fitting";

/** Falloffs the email names; more would not read in a glance, and the latest matter most. */
const TEXT_FALLOFFS = 2;
/** Other services the email names before summing up the rest. */
const TEXT_CORRELATED = 3;

/**
 * Another service whose incident overlapped this one, as the summary names it.
 *
 * @example const verizon: CorrelatedPeak = { name: "Verizon", peak: { count: 2034, at } };
 */
export interface CorrelatedPeak {
  name: string;
  peak: { count: number; at: number };
}

/**
 * What the summary needs beyond the incident itself.
 *
 * @example
 * const context: SummaryContext = {
 *   service: { id: "t-mobile", name: "T-Mobile", timeZone: "America/New_York" },
 *   correlated: [{ name: "Verizon", peak: { count: 2034, at } }],
 *   now: lastBucket,
 * };
 */
export interface SummaryContext {
  service: Pick<Service, "id" | "name" | "timeZone">;
  /** The services named in `incident.correlatedWith`, with their peaks. */
  correlated: readonly CorrelatedPeak[];
  /**
   * The latest bucket the detector has seen. An open incident is "still elevated as of"
   * this moment; without it, as of the latest stated peak or falloff.
   */
  now?: number;
  /** What the incident is ascribed to, one line ("AWS us-east-1: Increased error rates"). */
  likelyUpstream?: string;
  /** What and where of its reports (`usecases/incident-mix.ts`), when known. */
  mix?: ReportMix;
}

/** The facts of one incident as the three renderings state them. */
interface Timeline {
  name: string;
  id: string;
  zone: string;
  startedAt: number;
  peak: { count: number; at: number };
  /** Whether the peak is known to be past: resolved, or a lower level was seen since. */
  peaked: boolean;
  falloffs: Falloff[];
  resolvedAt: number | null;
  /** For an open incident, the moment it is last known to be elevated. */
  asOf: number;
  correlated: CorrelatedPeak[];
  /** The likely upstream, one line; null when none is known. */
  upstream: string | null;
  /** "mostly no signal (62%)", when one kind dominates. */
  mostly: string | null;
  /** Where the reports came from, as a sentence and as an SMS part; null when unsaid. */
  where: { text: string; sms: string } | null;
}

/** Collapses line breaks, tabs and control characters so a name stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/[\s\p{Cc}]+/gu, " ").trim();
}

/** A level at most this share of the peak is a clear falloff, worth stating. */
const CLEAR_FALLOFF_SHARE = 0.25;

/**
 * The falloff milestones a timeline states, oldest first: the first level that fell to at
 * most a quarter of the peak ("had fallen to about 9,000 by midnight"), and for an
 * incident still open the latest level too; with no clear falloff yet, the latest level.
 * @example statedFalloffs(seedIncident) // [{ at: 05:00Z, count: 9040 }]
 */
export function statedFalloffs(
  incident: Pick<Incident, "falloffs" | "peak" | "resolvedAt">,
): Falloff[] {
  const sorted = [...incident.falloffs].sort((a, b) => a.at - b.at);
  const latest = sorted[sorted.length - 1];
  if (!latest) return [];
  const clear = sorted.find((f) => f.count <= CLEAR_FALLOFF_SHARE * incident.peak.count);
  if (!clear) return [latest];
  return incident.resolvedAt === null && latest.at > clear.at ? [clear, latest] : [clear];
}

function timeline(incident: Incident, context: SummaryContext): Timeline {
  const falloffs = statedFalloffs(incident);
  const latest = Math.max(incident.peak.at, ...incident.falloffs.map((f) => f.at));
  return {
    name: oneLine(context.service.name) || context.service.id,
    id: context.service.id,
    zone: context.service.timeZone,
    startedAt: incident.startedAt,
    peak: incident.peak,
    peaked: incident.resolvedAt !== null || incident.falloffs.length > 0,
    falloffs,
    resolvedAt: incident.resolvedAt,
    asOf: Math.max(latest, context.now ?? latest),
    correlated: context.correlated
      .map((c) => ({ name: oneLine(c.name), peak: c.peak }))
      .filter((c) => c.name !== "")
      .sort((a, b) => b.peak.count - a.peak.count),
    upstream: context.likelyUpstream ? oneLine(context.likelyUpstream) || null : null,
    mostly: mostlyPhrase(context.mix),
    where: whereOf(context.mix),
  };
}

function whereOf(mix: ReportMix | undefined): Timeline["where"] {
  const text = whereSentence(mix);
  const sms = whereSms(mix);
  return text && sms ? { text, sms } : null;
}

/**
 * A clock time alone names the right moment only within a day of the start, read as the
 * next such time; from a day on, the local date is added.
 */
function needsDate(t: Timeline, ms: number): boolean {
  return ms - t.startedAt >= DAY_MS;
}

function local(t: Timeline, ms: number): string {
  const time = formatLocalTime(ms, t.zone);
  return needsDate(t, ms) ? `${time} on ${formatLocalDate(ms, t.zone)}` : time;
}

function withGmt(t: Timeline, ms: number): string {
  return formatTimeWithGmt(ms, t.zone, { withDate: needsDate(t, ms) });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function renderText(t: Timeline): string {
  const { peak } = t;
  const clauses: string[] = [];
  if (t.startedAt < peak.at) clauses.push(`began rising at around ${withGmt(t, t.startedAt)}`);
  const verb = t.peaked ? "peaked at" : "reached";
  clauses.push(`${verb} ${moreThan(peak.count)} at around ${withGmt(t, peak.at)}`);
  const [first, second] = t.falloffs.slice(-TEXT_FALLOFFS);
  if (first) clauses.push(`had fallen to ${about(first.count)} by ${withGmt(t, first.at)}`);
  let timelineText = joinAnd(clauses);
  if (first && second) {
    const direction = second.count <= first.count ? "to" : "was back up to";
    timelineText = `${clauses.join(", ")} and ${direction} ${about(second.count)} by ${withGmt(t, second.at)}`;
  }
  const what = t.mostly ? `, ${t.mostly},` : "";
  const sentences = [`Reports of ${t.name} problems${what} ${timelineText}.`];
  if (t.where) sentences.push(t.where.text);

  if (t.correlated.length > 0) {
    const named = t.correlated
      .slice(0, TEXT_CORRELATED)
      .map((c) => `${c.name} (${moreThan(c.peak.count)})`);
    const others = t.correlated.length - named.length;
    if (others > 0) named.push(plural(others, "other service"));
    sentences.push(`${joinAnd(named)} spiked at the same time.`);
  }
  if (t.upstream) sentences.push(`Likely upstream: ${t.upstream}.`);

  if (t.resolvedAt !== null) {
    const lasted = formatDuration(t.resolvedAt - t.startedAt);
    sentences.push(`Resolved at ${withGmt(t, t.resolvedAt)}, after ${lasted}.`);
  } else {
    const sofar =
      t.asOf > t.startedAt ? `, ${formatDuration(t.asOf - t.startedAt)} after it began` : "";
    sentences.push(`Still elevated as of ${withGmt(t, t.asOf)}${sofar}.`);
  }
  return sentences.join(" ");
}

/**
 * "peak more than 83,000 reports" or, while the peak may still grow, "more than 800
 * reports"; without the noun where space is short.
 */
function peakPhrase(t: Timeline, withNoun = true): string {
  const noun = withNoun ? ` ${reportsNoun(t.peak.count)}` : "";
  const count = `${moreThan(t.peak.count)}${noun}`;
  return t.peaked ? `peak ${count}` : count;
}

/**
 * The subject, richest first. The name is shortened only when even the barest wording is
 * too long, so a long name costs the peak time, then the word "reports" (or "outage"),
 * before it costs its own words.
 */
function renderSubject(t: Timeline): string {
  const variants = (name: string): string[] =>
    t.resolvedAt === null
      ? [
          `${name} outage: ${peakPhrase(t)} at ${local(t, t.peak.at)}`,
          `${name} outage: ${peakPhrase(t)}`,
          `${name} outage: ${peakPhrase(t, false)}`,
          `${name} outage`,
        ]
      : [
          `Resolved: ${name} outage (peak ${moreThan(t.peak.count)})`,
          `Resolved: ${name} (peak ${moreThan(t.peak.count)})`,
          `Resolved: ${name} outage`,
        ];
  for (const name of nameCandidates(t.name, t.id)) {
    const fitting = variants(name).find((s) => s.length <= SUBJECT_MAX_LENGTH);
    if (fitting) return fitting;
  }
  return cutAtWord(`${t.id} outage`, (s) => s.length <= SUBJECT_MAX_LENGTH);
}

/** Which optional parts an SMS carries; dropped one by one until it fits. */
interface SmsDetail {
  /** Where the reports came from ("Mostly from TX, FL, CA."). */
  where: boolean;
  /** The kind most reports were of ("Mostly no signal (62%)."). */
  mostly: boolean;
  duration: boolean;
  /** The likely upstream's provider and scope ("Likely upstream: AWS us-east-1."). */
  upstream: boolean;
  gmt: boolean;
  correlated: number;
  falloff: boolean;
  endTime: boolean;
  peakTime: boolean;
}

/**
 * From the full SMS to the barest, least useful part first: where the reports came from,
 * how long it lasted (the two times say it), the UTC time, the kind most reports were of,
 * the other services, the likely upstream, the latest level, the end time, the peak time.
 * What is left ("X outage: peak more than N reports. Resolved.") always fits.
 */
const SMS_DETAILS: readonly SmsDetail[] = (() => {
  const full = {
    where: true,
    mostly: true,
    duration: true,
    upstream: true,
    gmt: true,
    correlated: 3,
    falloff: true,
    endTime: true,
    peakTime: true,
  };
  const cuts: Partial<SmsDetail>[] = [
    { where: false },
    { duration: false },
    { gmt: false },
    { mostly: false },
    { correlated: 1 },
    { correlated: 0 },
    { upstream: false },
    { falloff: false },
    { endTime: false },
    { peakTime: false },
  ];
  const out: SmsDetail[] = [full];
  for (const cut of cuts) out.push({ ...(out[out.length - 1] as SmsDetail), ...cut });
  return out;
})();

function renderSmsWith(t: Timeline, name: string, detail: SmsDetail): string {
  let head = `${name} outage: ${peakPhrase(t)}`;
  let lastStated = t.peak.at;
  if (detail.peakTime) {
    head += ` at ${local(t, t.peak.at)}`;
    if (detail.gmt) head += ` ${formatGmt(t.peak.at)}`;
  }
  const latest = t.falloffs[t.falloffs.length - 1];
  if (detail.falloff && latest) {
    head += `, ${about(latest.count)} by ${local(t, latest.at)}`;
    lastStated = latest.at;
  }
  const parts = [`${head}.`];
  if (detail.mostly && t.mostly)
    parts.push(`${t.mostly.charAt(0).toUpperCase()}${t.mostly.slice(1)}.`);
  if (detail.where && t.where) parts.push(t.where.sms);

  // A name that would turn into "?" says nothing; leave it out rather than send noise.
  const others = t.correlated.filter((c) => canWriteInGsm7(c.name));
  if (detail.correlated > 0 && others.length > 0) {
    const named = others.slice(0, detail.correlated).map((c) => c.name);
    const rest = others.length - named.length;
    const list = rest > 0 ? joinAnd([...named, plural(rest, "other")]) : named.join(", ");
    parts.push(`${list} also up.`);
  }
  // The provider and scope only: the title is the email's.
  const upstream = t.upstream?.split(": ")[0];
  if (detail.upstream && upstream && canWriteInGsm7(upstream)) {
    parts.push(`Likely upstream: ${upstream}.`);
  }

  if (t.resolvedAt !== null) {
    let end = "Resolved";
    if (detail.endTime) end += ` ${local(t, t.resolvedAt)}`;
    if (detail.duration) end += ` after ${formatDuration(t.resolvedAt - t.startedAt)}`;
    parts.push(`${end}.`);
  } else {
    // "As of" the moment just stated would only repeat it.
    const asOf = detail.endTime && t.asOf > lastStated ? ` as of ${local(t, t.asOf)}` : "";
    parts.push(`Still elevated${asOf}.`);
  }
  return toGsm7(parts.join(" "));
}

function renderSms(t: Timeline): string {
  // A name GSM-7 cannot write (e.g. in CJK script) would arrive as "????"; the id can.
  const name = canWriteInGsm7(t.name) ? t.name : t.id;
  for (const candidate of nameCandidates(name, t.id)) {
    for (const detail of SMS_DETAILS) {
      const sms = renderSmsWith(t, candidate, detail);
      if (smsFits(sms)) return sms;
    }
  }
  const barest = renderSmsWith(t, toGsm7(t.id), SMS_DETAILS[SMS_DETAILS.length - 1] as SmsDetail);
  return cutAtWord(barest, smsFits);
}

/**
 * The name, then shorter forms of it cut at word boundaries (never mid-word, never with an
 * ellipsis that would claim space), then the service id as the last resort.
 */
function nameCandidates(name: string, id: string): string[] {
  const out = [name];
  const words = name.split(" ");
  for (let keep = words.length - 1; keep >= 1; keep--) {
    const shorter = words
      .slice(0, keep)
      .join(" ")
      .replace(/[\s\p{P}\p{S}]+$/u, "");
    if (shorter !== "" && !out.includes(shorter)) out.push(shorter);
  }
  if (!out.includes(id)) out.push(id);
  return out;
}

/**
 * Phrases an incident as email text, email subject and SMS.
 *
 * The text states the start, the peak ("more than N"), the latest one or two falloffs
 * ("about N by <time>"), the correlated services and the resolution or "still elevated",
 * each time local with its UTC time. The subject is one line under 100 characters; the SMS
 * is GSM-7 within 160 septets, dropping the least useful parts until it fits.
 *
 * @example
 * const summary = summarizeIncident(incident, {
 *   service: { id: "t-mobile", name: "T-Mobile", timeZone: "America/New_York" },
 *   correlated: [
 *     { name: "Verizon", peak: { count: 2034, at: Date.parse("2023-02-14T03:25:00Z") } },
 *     { name: "AT&T", peak: { count: 1287, at: Date.parse("2023-02-14T03:30:00Z") } },
 *   ],
 * });
 * summary.subject; // "Resolved: T-Mobile outage (peak more than 83,000)"
 * summary.text; // "Reports of T-Mobile problems began rising at around 8:50 p.m. ET (01:50 GMT), ..."
 */
export function summarizeIncident(incident: Incident, context: SummaryContext): IncidentSummary {
  const t = timeline(incident, context);
  return { subject: renderSubject(t), text: renderText(t), sms: renderSms(t) };
}

/**
 * The message of an update: the incident's summary under a subject saying how far it has
 * grown since it opened.
 * @example growthSummary(summary, "T-Mobile", 8200, 10).subject // "T-Mobile outage growing: more than 8,000 reports, 10x the count at opening"
 */
export function growthSummary(
  summary: IncidentSummary,
  name: string,
  peak: number,
  multiple: number,
): IncidentSummary {
  const candidates = [
    `${name} outage growing: ${moreThan(peak)} reports, ${multiple}x the count at opening`,
    `${name} outage growing: ${moreThan(peak)} reports`,
    `Outage growing: ${moreThan(peak)} reports`,
  ];
  const subject = candidates.find((c) => c.length <= SUBJECT_MAX_LENGTH) ?? summary.subject;
  return { ...summary, subject };
}
