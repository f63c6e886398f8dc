/**
 * Making words fit where they go: an email subject of one line under 100 characters, an
 * SMS of one part (160 GSM-7 septets), lists read as English. Every wording module picks
 * the richest variant that fits with these, so all of them give way the same way.
 */
import { gsm7Length } from "./gsm7";

/** Longest subject allowed: "under 100 characters" (UTF-16 units, so code points too). */
export const SUBJECT_MAX_LENGTH = 99;

/** Longest SMS allowed, in GSM-7 septets: one message part. */
export const SMS_MAX_SEPTETS = 160;

/** True when `text` is one line that fits a subject. */
export const subjectFits = (text: string): boolean =>
  text.length <= SUBJECT_MAX_LENGTH && !/[\r\n]/.test(text);

/** True when `text` fits one SMS part. */
export const smsFits = (text: string): boolean => gsm7Length(text) <= SMS_MAX_SEPTETS;

/**
 * "A", "A and B", "A, B and C".
 * @example joinAnd(["Verizon", "AT&T", "Comcast"]) // "Verizon, AT&T and Comcast"
 */
export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * The first `shown` of `items` and how many more: "A, B and 998 others"; all of them
 * when they are no more than `shown` + 1 ("and 1 other" says less than the name).
 * @example joinAndOthers(["T-Mobile", "Verizon", "AT&T", "Comcast"], 2) // "T-Mobile, Verizon and 2 others"
 */
export function joinAndOthers(items: readonly string[], shown: number): string {
  if (items.length <= shown + 1) return joinAnd(items);
  const rest = items.length - shown;
  return `${items.slice(0, shown).join(", ")} and ${rest.toLocaleString("en-US")} others`;
}

/**
 * `render` of the longest list of `items` that `fits`: every name, then fewer named and
 * the rest counted ("T-Mobile, Verizon and 998 others"), down to one named. At most
 * `most` are ever named, so a list of thousands is read in seconds and costs little.
 * @example fittingList(names, (list) => `${list} also elevated`, subjectFits, 10)
 */
export function fittingList(
  items: readonly string[],
  render: (list: string) => string,
  fits: (text: string) => boolean,
  most = 10,
): string {
  for (let shown = Math.min(items.length, most); shown >= 1; shown--) {
    const text = render(joinAndOthers(items, shown));
    if (fits(text)) return text;
  }
  return render(joinAndOthers(items, 1));
}

/**
 * The first of `candidates` that fits `fits`, else the last (each list ends with one that
 * always fits).
 * @example firstFitting([long, shorter, "T-Mobile outage"], subjectFits)
 */
export function firstFitting(
  candidates: readonly string[],
  fits: (text: string) => boolean,
): string {
  return candidates.find(fits) ?? candidates.at(-1) ?? "";
}

/**
 * The longest word-boundary prefix of `text` that `fits`; a hard cut only for one huge word.
 * @example cutAtWord("Reports of T-Mobile problems", (s) => s.length <= 12) // "Reports of"
 */
export function cutAtWord(text: string, fits: (s: string) => boolean): string {
  if (fits(text)) return text;
  const words = text.split(" ");
  for (let keep = words.length - 1; keep >= 1; keep--) {
    const prefix = words.slice(0, keep).join(" ");
    if (fits(prefix)) return prefix;
  }
  const chars = [...text];
  while (chars.length > 0 && !fits(chars.join(""))) chars.pop();
  return chars.join("");
}
