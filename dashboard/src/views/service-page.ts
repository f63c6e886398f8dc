/**
 * A service's page (`#/service/<id>`): status, a large 24-hour chart with its data as a
 * table on demand, what was reported and where (the bar of problem kinds, the map), the
 * service's incidents and the health of its sources (each failure
 * in the words of `contract/source-failure.ts`: the API gives its class, never its
 * message).
 */
import { SOURCE_FAILURE_WORDING, sourceFailureText } from "../../../contract/source-failure";
import { api, type Incident, isAbort, type ServiceDetail, type SourceHealth } from "../api";
import { ServiceChart } from "../chart";
import { chartModel } from "../chart-model";
import { h, setText } from "../dom";
import { time, viewerZone } from "../format";
import {
  CountsTable,
  incidentEntry,
  latestLine,
  nameReportButton,
  reportButton,
  statusBadge,
} from "./parts";
import { replaceKeepingFocus, type View, type ViewContext } from "./view";
import { WhatAndWhere } from "./what-and-where";

/** A source's status in words. */
const SOURCE_STATUS: Readonly<Record<SourceHealth["status"], string>> = {
  ok: "Working",
  failing: "Failing",
  unknown: "Not read yet",
};

/** The page of one service. */
export class ServiceView implements View {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly status = statusBadge();
  private readonly latest = latestLine({ zoned: true });
  private readonly chart = new ServiceChart({ height: 280, compact: false, showCaption: true });
  private readonly table = new CountsTable();
  private readonly whatAndWhere = new WhatAndWhere("", "in the last 24 hours");
  private readonly report: HTMLButtonElement;
  private readonly incidents: HTMLElement;
  private readonly sources: HTMLElement;
  /** "Get alerts" about this service (all services from the header's). */
  private readonly alerts: HTMLButtonElement;
  private readonly zone: HTMLElement;
  private service: ServiceDetail | undefined;

  constructor(
    private readonly id: string,
    context: ViewContext,
  ) {
    this.heading = h("h1", { tabindex: "-1" }, id);
    this.incidents = h("ul", { class: "incident-list" });
    this.sources = h("div", { class: "table-wrap" });
    this.zone = h("p", { class: "muted" });
    // Named from the id until the service's name is known.
    this.report = reportButton(id, (button) => {
      if (this.service) context.dialog.open(this.service, button);
    });
    this.alerts = h(
      "button",
      { type: "button", class: "button alerts-service" },
      "Get alerts",
      h("span", { class: "visually-hidden" }, ""),
    );
    this.alerts.addEventListener("click", () => {
      if (this.service) context.alerts.open(this.alerts, this.service);
    });
    this.element = h(
      "div",
      { class: "view service" },
      h(
        "nav",
        { "aria-label": "Breadcrumb", class: "crumbs" },
        h("a", { href: "#/" }, "All services"),
      ),
      h("div", { class: "page-head" }, this.heading, this.status.element, this.report, this.alerts),
      this.latest.element,
      this.zone,
      h(
        "section",
        { "aria-labelledby": "chart-heading" },
        h("h2", { id: "chart-heading" }, "Reports in the last 24 hours"),
        this.chart.element,
        this.table.element,
      ),
      ...this.whatAndWhere.elements,
      h(
        "section",
        { "aria-labelledby": "incidents-heading" },
        h("h2", { id: "incidents-heading" }, "Incidents"),
        this.incidents,
      ),
      h(
        "section",
        { "aria-labelledby": "sources-heading" },
        h("h2", { id: "sources-heading" }, "Sources"),
        this.sources,
      ),
    );
  }

  title(): string {
    return `${this.service?.name ?? this.id} · outcry`;
  }

  async load(signal: AbortSignal): Promise<void> {
    const [service, series, incidents] = await Promise.all([
      api.service(this.id, signal),
      api.series(this.id, {}, signal),
      api.incidents({ service: this.id, limit: 20 }, signal).then(
        (page) => page.incidents,
        (error) => {
          if (isAbort(error)) throw error;
          return [] as Incident[];
        },
      ),
    ]);
    signal.throwIfAborted();
    this.service = service;
    setText(this.heading, service.name);
    nameReportButton(this.report, service.name);
    setText(this.alerts.querySelector(".visually-hidden") as Element, ` about ${service.name}`);
    this.status.update(service.status);
    this.latest.update(service);
    setText(
      this.zone,
      service.timeZone === viewerZone()
        ? `Times are in ${service.name}'s time zone, which is yours (${service.timeZone}).`
        : `Times are in your time zone (${viewerZone()}); the latest one is also given in ${service.name}'s (${service.timeZone}), in brackets.`,
    );
    this.chart.update(
      chartModel(service.name, series, incidents, service.baseline, { lastDay: true }),
    );
    this.table.update(series, service.name, service.timeZone);
    this.showIncidents(service, incidents);
    this.showSources(service);
    // Last: the first map of the page waits for its atlas, which nothing above needs.
    await this.whatAndWhere.update(series.mix, signal);
  }

  destroy(): void {
    this.chart.destroy();
  }

  private showIncidents(service: ServiceDetail, incidents: Incident[]): void {
    const signature = incidents.map((i) => `${i.id}:${i.status}:${i.peak.count}`).join(",");
    if (this.incidents.getAttribute("data-signature") === signature) return;
    this.incidents.setAttribute("data-signature", signature);
    replaceKeepingFocus(
      this.incidents,
      incidents.length === 0
        ? [h("li", { class: "muted" }, "No incidents recorded.")]
        : incidents.map((i) => incidentEntry(i, service.name, service.timeZone)),
    );
  }

  private showSources(service: ServiceDetail): void {
    if (service.sources.length === 0) {
      this.sources.replaceChildren(h("p", { class: "muted" }, "This service has no sources."));
      return;
    }
    const when = (iso: string) => time(Date.parse(iso), service.timeZone, { withDate: true });
    const status = (s: SourceHealth) =>
      s.since === null || s.status === "unknown"
        ? SOURCE_STATUS[s.status]
        : h("span", {}, `${SOURCE_STATUS[s.status]} since `, when(s.since));
    const lastFailure = (s: SourceHealth) =>
      s.lastErrorAt === null || s.lastFailure === null
        ? "none"
        : h(
            "span",
            { title: SOURCE_FAILURE_WORDING[s.lastFailure.reason].meaning },
            when(s.lastErrorAt),
            `: ${sourceFailureText(s.lastFailure)}`,
          );
    this.sources.replaceChildren(
      h(
        "table",
        {},
        h("caption", { class: "visually-hidden" }, `Health of ${service.name}'s sources`),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Source"),
            h("th", { scope: "col" }, "Kind"),
            h("th", { scope: "col" }, "Status"),
            h("th", { scope: "col" }, "Last read"),
            h("th", { scope: "col" }, "Last failure"),
            h("th", { scope: "col" }, "Failures in a row"),
          ),
        ),
        h(
          "tbody",
          {},
          ...service.sources.map((s) =>
            h(
              "tr",
              { "data-status": s.status },
              h("th", { scope: "row" }, s.source),
              h("td", {}, s.kind),
              h("td", {}, status(s)),
              h("td", {}, s.lastSuccessAt === null ? "never" : when(s.lastSuccessAt)),
              h("td", {}, lastFailure(s)),
              h("td", {}, String(s.consecutiveFailures)),
            ),
          ),
        ),
      ),
    );
  }
}
