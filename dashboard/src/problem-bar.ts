/**
 * The "what" bar: the problem kinds of a span's reports as one horizontal stacked bar,
 * with a legend (label and percent, largest first) that is also its text for screen
 * readers: the bar itself is hidden from them, the legend is a list they read.
 */
import { h, replaceChildren } from "./dom";
import { formatCount } from "./format";
import { MAX_PROBLEM_SLICES, percent, problemShares } from "./mix-model";

/** The bar, updated in place; hidden while no report was told by kind. */
export class ProblemBar {
  readonly element: HTMLElement;
  private readonly bar: HTMLElement;
  private readonly legend: HTMLUListElement;
  private readonly total: HTMLElement;
  private signature = "";

  /** `heading` names the section (its id labels it). */
  constructor(heading: { id: string; text: string }) {
    this.bar = h("div", { class: "problem-bar", "aria-hidden": "true" });
    this.legend = h("ul", { class: "problem-legend" });
    this.total = h("p", { class: "muted" });
    this.element = h(
      "section",
      { class: "problems", "aria-labelledby": heading.id, hidden: true },
      h("h2", { id: heading.id }, heading.text),
      this.bar,
      this.legend,
      this.total,
    );
  }

  /** Shows the shares of `problems` (kind → reports). */
  update(problems: Readonly<Record<string, number>>): void {
    const shares = problemShares(problems);
    const signature = shares.map((s) => `${s.kind}:${s.count}`).join(",");
    if (signature === this.signature) return;
    this.signature = signature;
    this.element.hidden = shares.length === 0;
    const total = shares.reduce((sum, s) => sum + s.count, 0);
    replaceChildren(
      this.bar,
      // The styles define one colour per slice (`.slice-0` …), as many as the bar has.
      ...shares.map((s, i) => {
        const slice = h("span", {
          class: `slice slice-${i % MAX_PROBLEM_SLICES}`,
          "data-kind": s.kind,
        });
        // A CSSOM property, which the page's CSP allows (a style attribute it would block).
        slice.style.flexGrow = String(s.count);
        return slice;
      }),
    );
    replaceChildren(
      this.legend,
      ...shares.map((s, i) =>
        h(
          "li",
          { "data-kind": s.kind },
          h("span", { class: `swatch slice-${i % MAX_PROBLEM_SLICES}`, "aria-hidden": "true" }),
          h("span", { class: "problem-label" }, s.label),
          " ",
          h("span", { class: "problem-share" }, percent(s.share)),
          h("span", { class: "visually-hidden" }, ` (${formatCount(s.count)} reports)`),
        ),
      ),
    );
    this.total.textContent = `Of ${formatCount(total)} reports that named a problem.`;
  }
}
