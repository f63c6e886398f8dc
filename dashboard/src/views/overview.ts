/**
 * The overview (`#/`): a card per service with its status, latest count and 24-hour
 * chart, and the recent incidents. Cards are kept by service id across refreshes.
 */
import { api, type Incident, type ServiceSummary } from "../api";
import { ServiceChart } from "../chart";
import { chartModel } from "../chart-model";
import { h, setAttr, setText } from "../dom";
import {
  incidentEntry,
  latestLine,
  reportButton,
  STATUS_MEANING,
  STATUS_TEXT,
  statusBadge,
} from "./parts";
import { replaceKeepingFocus, type View, type ViewContext } from "./view";

/** Incidents the overview asks for (to shade the charts) and how many it lists. */
const INCIDENTS_FETCHED = 50;
const INCIDENTS_LISTED = 10;

class ServiceCard {
  readonly element: HTMLElement;
  private readonly name: HTMLAnchorElement;
  private readonly status = statusBadge();
  private readonly latest = latestLine();
  private readonly incident: HTMLElement;
  private readonly chartError: HTMLElement;
  readonly chart = new ServiceChart({ height: 150, compact: true, showCaption: false });
  service: ServiceSummary;

  constructor(service: ServiceSummary, context: ViewContext) {
    this.service = service;
    const headingId = `card-${service.id}`;
    this.name = h("a", { href: `#/service/${encodeURIComponent(service.id)}` });
    this.incident = h("p", { class: "card-incident" });
    this.chartError = h("p", { class: "chart-error" });
    this.element = h(
      "li",
      { class: "card", "data-service": service.id },
      h(
        "article",
        { "aria-labelledby": headingId },
        h(
          "div",
          { class: "card-head" },
          h("h2", { id: headingId }, this.name),
          this.status.element,
        ),
        this.latest.element,
        this.chart.element,
        this.chartError,
        h(
          "div",
          { class: "card-foot" },
          this.incident,
          reportButton(service.name, (button) => context.dialog.open(this.service, button)),
        ),
      ),
    );
    this.update(service);
  }

  update(service: ServiceSummary): void {
    this.service = service;
    setText(this.name, service.name);
    this.status.update(service.status);
    this.latest.update(service);
    if (service.openIncident) {
      const href = `#/incident/${encodeURIComponent(service.openIncident)}`;
      const link = this.incident.querySelector("a");
      if (link?.getAttribute("href") !== href) {
        this.incident.replaceChildren(
          h(
            "a",
            { href },
            "Open incident",
            h("span", { class: "visually-hidden" }, ` of ${service.name}`),
          ),
        );
      }
    } else if (this.incident.firstChild) {
      this.incident.replaceChildren();
    }
  }

  showChart(series: Awaited<ReturnType<typeof api.series>>, incidents: readonly Incident[]): void {
    setText(this.chartError, "");
    this.chart.update(
      chartModel(
        this.service.name,
        series,
        incidents.filter((i) => i.service === this.service.id),
        this.service.baseline,
      ),
    );
  }

  showChartError(message: string): void {
    setText(this.chartError, `Chart unavailable: ${message}`);
  }
}

/** The overview page. */
export class OverviewView implements View {
  readonly element: HTMLElement;
  private readonly cards = new Map<string, ServiceCard>();
  private readonly grid: HTMLElement;
  private readonly counts: HTMLElement;
  private readonly recent: HTMLElement;

  constructor(private readonly context: ViewContext) {
    this.counts = h("p", { class: "lead" });
    this.grid = h("ul", { class: "cards", "aria-label": "Services" });
    this.recent = h("ul", { class: "incident-list" });
    const legend = h(
      "ul",
      { class: "status-legend", "aria-label": "What the statuses mean" },
      ...(["normal", "elevated", "outage"] as const).map((status) =>
        h(
          "li",
          {},
          h(
            "span",
            { class: `status status-${status}` },
            h("span", { class: "status-mark", "aria-hidden": "true" }),
            STATUS_TEXT[status],
          ),
          `: ${STATUS_MEANING[status]}`,
        ),
      ),
    );
    this.element = h(
      "div",
      { class: "view overview" },
      h("h1", { tabindex: "-1" }, "Service status"),
      this.counts,
      legend,
      this.grid,
      h(
        "section",
        { "aria-labelledby": "recent-incidents" },
        h("h2", { id: "recent-incidents" }, "Recent incidents"),
        this.recent,
      ),
    );
  }

  title(): string {
    const outages = [...this.cards.values()].filter((c) => c.service.status === "outage").length;
    return outages > 0 ? `(${outages}) Service status · outcry` : "Service status · outcry";
  }

  async load(): Promise<void> {
    const [{ services }, incidents] = await Promise.all([
      api.services(),
      // Shading is a nicety: without incidents the charts still draw.
      api.incidents({ limit: INCIDENTS_FETCHED }).then(
        (page) => page.incidents,
        () => [] as Incident[],
      ),
    ]);
    this.showServices(services);
    this.showIncidents(incidents, services);
    await Promise.all(
      services.map(async (service) => {
        const card = this.cards.get(service.id);
        try {
          card?.showChart(await api.series(service.id), incidents);
        } catch (error) {
          card?.showChartError((error as Error).message);
        }
      }),
    );
  }

  destroy(): void {
    for (const card of this.cards.values()) card.chart.destroy();
  }

  private showServices(services: ServiceSummary[]): void {
    const seen = new Set<string>();
    services.forEach((service, index) => {
      seen.add(service.id);
      let card = this.cards.get(service.id);
      if (card) card.update(service);
      else {
        card = new ServiceCard(service, this.context);
        this.cards.set(service.id, card);
      }
      // Moving a node blurs it: only move cards that are out of place.
      if (this.grid.children[index] !== card.element) {
        this.grid.insertBefore(card.element, this.grid.children[index] ?? null);
      }
    });
    for (const [id, card] of this.cards) {
      if (seen.has(id)) continue;
      card.chart.destroy();
      card.element.remove();
      this.cards.delete(id);
    }
    const by = (status: string) => services.filter((s) => s.status === status).length;
    setText(
      this.counts,
      `${services.length} ${services.length === 1 ? "service" : "services"}: ${by("outage")} with an outage, ${by("elevated")} elevated, ${by("normal")} normal.`,
    );
    setAttr(this.grid, "data-count", String(services.length));
  }

  private showIncidents(incidents: Incident[], services: ServiceSummary[]): void {
    const byId = new Map(services.map((s) => [s.id, s]));
    const listed = incidents.slice(0, INCIDENTS_LISTED);
    const signature = listed.map((i) => `${i.id}:${i.status}:${i.peak.count}`).join(",");
    if (this.recent.getAttribute("data-signature") === signature) return;
    this.recent.setAttribute("data-signature", signature);
    replaceKeepingFocus(
      this.recent,
      listed.length === 0
        ? [h("li", { class: "muted" }, "No incidents recorded.")]
        : listed.map((incident) => {
            const service = byId.get(incident.service);
            return incidentEntry(
              incident,
              service?.name ?? incident.service,
              service?.timeZone ?? "UTC",
            );
          }),
    );
  }
}
