/**
 * The overview (`#/`): a card per service with its status, latest count and 24-hour
 * chart, and the recent incidents. Cards are kept by service id across refreshes. A
 * card's chart is only asked for while the card is on or near the screen (a hundred
 * services must not cost a hundred requests a minute per viewer): those are refreshed
 * with the page, the others when they are scrolled to.
 */
import { api, type Incident, type IncidentPage, isAbort, type ServiceSummary } from "../api";
import { ServiceChart } from "../chart";
import { chartModel } from "../chart-model";
import { h, setAttr, setText } from "../dom";
import { INCIDENT_PAGE_SIZE, IncidentPages } from "../incident-pages";
import {
  incidentEntry,
  latestLine,
  reportButton,
  STATUS_MEANING,
  STATUS_TEXT,
  statusBadge,
} from "./parts";
import { replaceKeepingFocus, type View, type ViewContext } from "./view";

/** How many incidents the overview lists. */
const INCIDENTS_LISTED = 10;
/** How far outside the screen a card counts as near it (its chart loads ahead). */
const NEAR_PX = 200;

class ServiceCard {
  readonly element: HTMLElement;
  private readonly name: HTMLAnchorElement;
  private readonly status = statusBadge();
  private readonly latest = latestLine();
  private readonly incident: HTMLElement;
  private readonly chartError: HTMLElement;
  readonly chart = new ServiceChart({ height: 150, compact: true, showCaption: false });
  service: ServiceSummary;
  /** The refresh whose chart this card has (or is loading); 0 for none. */
  round = 0;

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
        { lastDay: true },
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
  /** Tells when a card comes near the screen, to load its chart then. */
  private readonly observer: IntersectionObserver;
  /** Aborted when the page is left: charts loaded on scrolling stop with it. */
  private readonly left = new AbortController();
  /** Bumped by every load; a card whose `round` is older shows an older chart. */
  private round = 0;
  private pages: IncidentPages | undefined;

  constructor(private readonly context: ViewContext) {
    this.counts = h("p", { class: "lead" });
    this.grid = h("ul", { class: "cards", "aria-label": "Services" });
    this.recent = h("ul", { class: "incident-list" });
    this.observer = new IntersectionObserver((entries) => this.cameNear(entries), {
      rootMargin: `${NEAR_PX}px 0px`,
    });
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

  async load(signal: AbortSignal): Promise<void> {
    const read = (cursor?: string) => api.incidents({ limit: INCIDENT_PAGE_SIZE, cursor }, signal);
    const [{ services }, first] = await Promise.all([
      api.services(signal),
      // Shading is a nicety: without incidents the charts still draw.
      read().catch((error): IncidentPage => {
        if (isAbort(error)) throw error;
        return { incidents: [], next: null };
      }),
    ]);
    signal.throwIfAborted();
    this.round++;
    this.pages = new IncidentPages(first, read);
    this.showServices(services);
    this.showIncidents(first.incidents, services);
    // The cards on or near the screen now; the others load when they come near. Behind an
    // error screen (the view not mounted yet) none is: they load once it is put back.
    const near = this.element.isConnected
      ? [...this.cards.values()].filter((card) => isNear(card.element))
      : [];
    await Promise.all(near.map((card) => this.loadChart(card, signal)));
  }

  destroy(): void {
    this.left.abort();
    this.observer.disconnect();
    for (const card of this.cards.values()) card.chart.destroy();
  }

  private cameNear(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const card = this.cards.get(entry.target.getAttribute("data-service") ?? "");
      if (card && card.round !== this.round) void this.loadChart(card, this.left.signal);
    }
  }

  /** Loads a card's chart for this round, with the incidents that overlap it. */
  private async loadChart(card: ServiceCard, signal: AbortSignal): Promise<void> {
    const pages = this.pages;
    if (!pages || card.round === this.round) return;
    card.round = this.round;
    try {
      const series = await api.series(card.service.id, {}, signal);
      let incidents = await pages.since(Date.parse(series.from));
      const open = card.service.openIncident;
      if (open && !incidents.some((i) => i.id === open)) {
        // Open since before the pages read reach: asked for by itself.
        const incident = await api.incident(open, signal).catch((error) => {
          if (isAbort(error)) throw error;
          return null;
        });
        if (incident) incidents = [...incidents, incident];
      }
      signal.throwIfAborted();
      card.showChart(series, incidents);
    } catch (error) {
      if (isAbort(error)) {
        // Asked again the next time it is needed.
        card.round = 0;
        return;
      }
      card.showChartError((error as Error).message);
    }
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
        this.observer.observe(card.element);
      }
      // Moving a node blurs it: only move cards that are out of place.
      if (this.grid.children[index] !== card.element) {
        this.grid.insertBefore(card.element, this.grid.children[index] ?? null);
      }
    });
    for (const [id, card] of this.cards) {
      if (seen.has(id)) continue;
      this.observer.unobserve(card.element);
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

/** Whether `element` is on the screen or within {@link NEAR_PX} of it. */
function isNear(element: Element): boolean {
  const box = element.getBoundingClientRect();
  return box.bottom >= -NEAR_PX && box.top <= window.innerHeight + NEAR_PX;
}
