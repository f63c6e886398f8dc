/**
 * The "what and where" of a timeline, from the mix of its reports (`domain/report-mix.ts`):
 * "mostly no signal (62%)" when one kind dominates, and "Reports came mostly from Texas,
 * Florida and California." or "… from across the country." by where they came from.
 * Only regions the k-anonymity rule shows are ever named.
 */
import { PROBLEM_LABELS } from "../../../contract/catalog";
import { regionName } from "../../../contract/regions";
import { dominantProblem, type ReportMix, whereFrom } from "../report-mix";
import { joinAnd } from "./fitting";

/**
 * A kind as a sentence writes it: its label in lower case ("no signal"), unless the label
 * is an initialism or a name ("API", "Wi-Fi"); a kind with no label (a keyword class of a
 * social source) with its hyphens as spaces.
 */
export function problemWords(kind: string): string {
  const label = (PROBLEM_LABELS as Readonly<Record<string, string>>)[kind];
  if (!label) return kind.replace(/[-_]+/g, " ");
  return /\p{Lu}/u.test(label.slice(1)) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}

/**
 * "mostly no signal (62%)" when one kind holds most of the reports told by kind; null
 * otherwise.
 */
export function mostlyPhrase(mix: ReportMix | undefined): string | null {
  const dominant = mix && dominantProblem(mix.problems);
  if (!dominant) return null;
  return `mostly ${problemWords(dominant.kind)} (${Math.round(dominant.share * 100)}%)`;
}

/**
 * "Reports came mostly from Texas, Florida and California." when a few regions hold two
 * thirds of them, "Reports came from across the country." (or "from many countries")
 * when they are spread; null when too few say where, or neither holds.
 */
export function whereSentence(mix: ReportMix | undefined): string | null {
  const where = mix && whereFrom(mix);
  if (!where) return null;
  if (where.kind === "spread") {
    return mix.area === "us"
      ? "Reports came from across the country."
      : "Reports came from many countries.";
  }
  return `Reports came mostly from ${joinAnd(where.regions.map(regionName))}.`;
}

/**
 * The same for an SMS, shortest form: "Mostly from TX, FL, CA." (state codes, country
 * names) or "Across the US." / "Worldwide."; null as for {@link whereSentence}.
 */
export function whereSms(mix: ReportMix | undefined): string | null {
  const where = mix && whereFrom(mix);
  if (!where) return null;
  if (where.kind === "spread") return mix.area === "us" ? "Across the US." : "Worldwide.";
  const names = where.regions.map((code) =>
    code.startsWith("US-") ? code.slice(3) : regionName(code),
  );
  return `Mostly from ${names.join(", ")}.`;
}
