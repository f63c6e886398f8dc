/**
 * The problem kinds a reporter may choose, per category, with the words the page shows.
 * The kinds come from the catalog the API validates reports with (bundled into the page
 * at build time), so the choices offered are exactly the ones `POST /reports` accepts;
 * a kind added to the catalog without a label here fails the type check.
 */
import { type Category, PROBLEM_KINDS } from "../../contract/catalog";

/** Any problem kind of any category. */
export type ProblemKind = (typeof PROBLEM_KINDS)[Category][number];

const LABELS: Readonly<Record<ProblemKind, string>> = {
  "no-signal": "No signal",
  "mobile-data": "Mobile data",
  calls: "Calls",
  texts: "Texts",
  "total-outage": "Total outage",
  "no-internet": "No internet",
  slow: "Slow connection",
  wifi: "Wi-Fi",
  tv: "TV",
  phone: "Phone",
  console: "Console",
  api: "API",
  login: "Logging in",
  degraded: "Slow or degraded",
  "app-crash": "App crashes",
  website: "Website",
  payments: "Payments",
  partial: "Partly down",
};

/** The kinds of `category` with their labels, in the catalog's order. */
export function problemChoices(category: Category): { kind: ProblemKind; label: string }[] {
  const kinds: readonly ProblemKind[] = PROBLEM_KINDS[category] ?? PROBLEM_KINDS.other;
  return kinds.map((kind) => ({ kind, label: LABELS[kind] }));
}

/** The label of `kind`, or the kind itself when this page does not know it. */
export function problemLabel(kind: string): string {
  return (LABELS as Record<string, string>)[kind] ?? kind;
}
