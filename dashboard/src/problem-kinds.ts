/**
 * The problem kinds a reporter may choose, per category, with the words the page shows.
 * The kinds and their labels come from the catalog the API validates reports with
 * (bundled into the page at build time), so the choices offered are exactly the ones
 * `POST /reports` accepts.
 */
import {
  type Category,
  PROBLEM_LABELS as LABELS,
  PROBLEM_KINDS,
  type ProblemKind,
} from "../../contract/catalog";

export type { ProblemKind } from "../../contract/catalog";

/** The kinds of `category` with their labels, in the catalog's order. */
export function problemChoices(category: Category): { kind: ProblemKind; label: string }[] {
  const kinds: readonly ProblemKind[] = PROBLEM_KINDS[category] ?? PROBLEM_KINDS.other;
  return kinds.map((kind) => ({ kind, label: LABELS[kind] }));
}

/** The label of `kind`, or the kind itself when this page does not know it. */
export function problemLabel(kind: string): string {
  return (LABELS as Record<string, string>)[kind] ?? kind;
}
