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
