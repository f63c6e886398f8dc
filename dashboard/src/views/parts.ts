/**
 * Pieces several views share: the status badge, the latest-count line, an incident's
 * one-line entry, and the "Report a problem" button.
 */
import type { Category } from "../../../contract/catalog";
import type { Incident, Series, ServiceStatus, ServiceSummary } from "../api";
import { PARTIAL_WORDS } from "../chart-model";
import { h, setAttr, setText } from "../dom";
import { formatCount, reports, time, zonedTime } from "../format";

/** Status words; colour only repeats what these say. */
export const STATUS_TEXT: Readonly<Record<ServiceStatus, string>> = {
  normal: "Normal",
  elevated: "Elevated",
  outage: "Outage",
};

/** What each status means, for the legend. */
export const STATUS_MEANING: Readonly<Record<ServiceStatus, string>> = {
  normal: "reports as expected",
  elevated: "more reports than usual",
  outage: "an incident is open",
};

/** Category words, for the overview's filter. */
export const CATEGORY_TEXT: Readonly<Record<Category, string>> = {
  carrier: "Mobile carriers",
  isp: "Internet providers",
  cloud: "Cloud services",
  app: "Apps and websites",
  other: "Other",
};

/** A status badge that can be updated in place. */
export function statusBadge(): {
  element: HTMLElement;
  update(status: ServiceStatus, label?: string): void;
} {
  const label = h("span", {});
  const element = h(
    "p",
    { class: "status" },
    h("span", { class: "status-mark", "aria-hidden": "true" }),
    label,
  );
  return {
    element,
    update(status, text = STATUS_TEXT[status]) {
      setAttr(element, "class", `status status-${status}`);
      setAttr(element, "data-status", status);
      setText(label, text);
    },
  };
}

/**
 * "Latest 9,040 reports at 12:00 AM · baseline 40", updated in place; with `zoned`, the
 * service's time follows in brackets ("at 6:00 AM (midnight ET)").
 */
export function latestLine(options: { zoned?: boolean } = {}): {
  element: HTMLElement;
  update(service: ServiceSummary): void;
} {
  const element = h("p", { class: "stats" });
  const at = (iso: string, zone: string) =>
    options.zoned ? zonedTime(Date.parse(iso), zone) : [time(Date.parse(iso), zone)];
  return {
    element,
    update(service) {
      const latest = service.latest;
      const parts: (Node | string)[] = [];
      if (!latest) parts.push("No data yet");
      else if (latest.count === null)
        parts.push("No data for ", ...at(latest.at, service.timeZone));
      else parts.push(`Latest ${reports(latest.count)} at `, ...at(latest.at, service.timeZone));
      if (service.baseline !== null) parts.push(` · baseline ${formatCount(service.baseline)}`);
      // Rebuilt only when the words change, so a refresh leaves it alone otherwise.
      const probe = h("p", {}, ...parts);
      if (probe.textContent !== element.textContent)
        element.replaceChildren(...Array.from(probe.childNodes));
    },
  };
}

/** One incident as a list entry linking to its page. */
export function incidentEntry(incident: Incident, name: string, timeZone: string): HTMLElement {
  const started = Date.parse(incident.startedAt);
  const state =
    incident.status === "open"
      ? h("span", { class: "tag tag-open" }, "Open")
      : h("span", { class: "tag" }, "Resolved");
  return h(
    "li",
    { class: "incident-entry" },
    h(
      "a",
      { href: `#/incident/${encodeURIComponent(incident.id)}` },
      `${name}: peak ${reports(incident.peak.count)}`,
    ),
    " ",
    state,
    h("br", {}),
    h(
      "span",
      { class: "muted" },
      "Started ",
      time(started, timeZone, { withDate: true }),
      incident.resolvedAt ? " · resolved " : "",
      incident.resolvedAt
        ? time(Date.parse(incident.resolvedAt), timeZone, { withDate: true })
        : "",
    ),
  );
}

/** A "Report a problem" button naming the service for screen readers. */
export function reportButton(
  name: string,
  onClick: (button: HTMLButtonElement) => void,
): HTMLButtonElement {
  const button = h(
    "button",
    { type: "button", class: "button report" },
    "Report a problem",
    h("span", { class: "visually-hidden" }, ""),
  );
  nameReportButton(button, name);
  button.addEventListener("click", () => onClick(button));
  return button;
}

/** Names the service of a {@link reportButton} (once its name is known). */
export function nameReportButton(button: HTMLButtonElement, name: string): void {
  const hidden = button.querySelector(".visually-hidden");
  if (hidden) setText(hidden, ` with ${name}`);
}

/**
 * A chart's counts as a table under a `<details>`, newest first: what the chart says for
 * whoever cannot see it. Built only while open (hundreds of rows nobody asked for would
 * only slow every refresh).
 */
export class CountsTable {
  readonly element: HTMLDetailsElement;
  private shown: { series: Series; name: string; timeZone: string } | undefined;

  constructor() {
    this.element = h("details", { class: "data-table" }, h("summary", {}, "Counts as a table"));
    this.element.addEventListener("toggle", () => this.fill());
  }

  /** Shows `series` (rebuilding the table if it is open). */
  update(series: Series, name: string, timeZone: string): void {
    this.shown = { series, name, timeZone };
    this.fill();
  }

  private fill(): void {
    if (!this.element.open || !this.shown) return;
    const { series, name, timeZone } = this.shown;
    const rows = series.points
      .filter((p) => p.count !== null)
      .reverse()
      .map((p) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, time(Date.parse(p.at), timeZone, { withDate: true })),
          h(
            "td",
            {},
            p.partial
              ? `${formatCount(p.count ?? 0)} (${PARTIAL_WORDS})`
              : formatCount(p.count ?? 0),
          ),
          h("td", {}, p.baseline == null ? "unknown" : formatCount(p.baseline)),
        ),
      );
    const table = h(
      "table",
      {},
      h(
        "caption",
        { class: "visually-hidden" },
        `${name}: reports per ${series.bucketMinutes} minutes, newest first`,
      ),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Bucket start"),
          h("th", { scope: "col" }, "Reports"),
          h("th", { scope: "col" }, "Baseline"),
        ),
      ),
      h("tbody", {}, ...rows),
    );
    const wrap = h("div", { class: "table-wrap" }, table);
    const existing = this.element.querySelector(".table-wrap");
    if (existing) existing.replaceWith(wrap);
    else this.element.append(wrap);
  }
}
