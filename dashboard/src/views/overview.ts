/**
 * The overview (`#/`): a card per service with its status, latest count and 24-hour
 * chart, and the recent incidents. The services come a page of {@link SERVICES_PAGE_SIZE}
 * at a time (a deployment may have ten thousand: the page never asks for, nor draws,
 * more than one page), filtered by status and category, with previous and next buttons
 * that follow the API's cursors. Cards are kept by service id across refreshes. A
 * card's chart is only asked for while the card is on or near the screen (a hundred
 * services must not cost a hundred requests a minute per viewer): those are refreshed
 * with the page, the others when they are scrolled to.
 */
import { type Category, PROBLEM_KINDS, SERVICE_STATUSES } from "../../../contract/catalog";
import {
  ApiError,
  api,
  type Incident,
  type IncidentPage,
  isAbort,
  type ServicePage,
  type ServiceStatus,
  type ServiceSummary,
} from "../api";
import { ServiceChart } from "../chart";
import { chartModel } from "../chart-model";
import { h, setAttr, setText } from "../dom";
import { INCIDENT_PAGE_SIZE, IncidentPages } from "../incident-pages";
import {
  CATEGORY_TEXT,
  incidentEntry,
  latestLine,
  reportButton,
  STATUS_MEANING,
  STATUS_TEXT,
  statusBadge,
} from "./parts";
import { replaceKeepingFocus, type View, type ViewContext } from "./view";

/** Services per page of the grid. */
export const SERVICES_PAGE_SIZE = 50;
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
  private readonly statusSelect: HTMLSelectElement;
  private readonly categorySelect: HTMLSelectElement;
  private readonly recent: HTMLElement;
  /** Tells when a card comes near the screen, to load its chart then. */
  private readonly observer: IntersectionObserver;
  /** Aborted when the page is left: charts loaded on scrolling stop with it. */
  private readonly left = new AbortController();
  /** Bumped by every load; a card whose `round` is older shows an older chart. */
  private round = 0;
  private pages: IncidentPages | undefined;
  /** The services the grid shows. */
  private filter: { status?: ServiceStatus; category?: Category } = {};
  /** The cursor of each page read to reach this one (the first page's is undefined). */
  private cursors: (string | undefined)[] = [undefined];
  /** The cursor of the page after this one; null on the last. */
  private next: string | null = null;
  /** The reader turned the page: the grid's top is brought into view once it shows. */
  private turned = false;
  /** Names and zones of services met so far, for incidents of services on other pages. */
  private readonly known = new Map<string, { name: string; timeZone: string }>();
  private readonly pager: HTMLElement;
  private readonly previousButton: HTMLButtonElement;
  private readonly nextButton: HTMLButtonElement;
  private readonly pageLabel: HTMLElement;

  constructor(private readonly context: ViewContext) {
    this.counts = h("p", { class: "lead", role: "status" });
    this.grid = h("ul", { class: "cards", "aria-label": "Services" });
    const choose = (id: string, label: string, options: [string, string][]) => {
      const select = h(
        "select",
        { id },
        ...options.map(([value, text]) => h("option", { value }, text)),
      );
      select.addEventListener("change", () => this.filterChanged());
      return { select, field: h("p", { class: "filter" }, h("label", { for: id }, label), select) };
    };
    const status = choose("filter-status", "Status", [
      ["", "All statuses"],
      ...[...SERVICE_STATUSES].reverse().map((s): [string, string] => [s, STATUS_TEXT[s]]),
    ]);
    const category = choose("filter-category", "Category", [
      ["", "All categories"],
      ...(Object.keys(PROBLEM_KINDS) as Category[]).map((c): [string, string] => [
        c,
        CATEGORY_TEXT[c],
      ]),
    ]);
    this.statusSelect = status.select;
    this.categorySelect = category.select;
    const filters = h(
      "form",
      { class: "filters", role: "search", "aria-label": "Filter services" },
      status.field,
      category.field,
    );
    filters.addEventListener("submit", (event) => event.preventDefault());
    this.previousButton = h("button", { type: "button", class: "button" }, "Previous page");
    this.nextButton = h("button", { type: "button", class: "button" }, "Next page");
    this.pageLabel = h("span", { class: "muted" });
    this.previousButton.addEventListener("click", () => this.turn(-1));
    this.nextButton.addEventListener("click", () => this.turn(1));
    this.pager = h(
      "nav",
      { class: "pager", "aria-label": "Pages of services", hidden: "" },
      this.previousButton,
      this.pageLabel,
      this.nextButton,
    );
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
      filters,
      this.counts,
      legend,
      this.grid,
      this.pager,
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
    const [page, first] = await Promise.all([
      this.readServices(signal),
      // Shading is a nicety: without incidents the charts still draw.
      read().catch((error): IncidentPage => {
        if (isAbort(error)) throw error;
        return { incidents: [], next: null };
      }),
    ]);
    signal.throwIfAborted();
    const { services } = page;
    for (const s of services) this.known.set(s.id, { name: s.name, timeZone: s.timeZone });
    await this.learnNames(first.incidents.slice(0, INCIDENTS_LISTED), signal);
    this.round++;
    this.pages = new IncidentPages(first, read);
    this.next = page.next;
    this.showServices(services);
    this.showPager();
    this.showIncidents(first.incidents);
    if (this.turned && this.element.isConnected) {
      this.turned = false;
      this.counts.scrollIntoView({ block: "nearest" });
    }
    // The cards on or near the screen now; the others load when they come near. Behind an
    // error screen (the view not mounted yet) none is: they load once it is put back.
    const near = this.element.isConnected
      ? [...this.cards.values()].filter((card) => isNear(card.element))
      : [];
    await Promise.all(near.map((card) => this.loadChart(card, signal)));
  }

  /** The page of services the cursors point at; the first page if the server refuses the cursor. */
  private async readServices(signal: AbortSignal): Promise<ServicePage> {
    const ask = (cursor: string | undefined) =>
      api.services({ ...this.filter, limit: SERVICES_PAGE_SIZE, cursor }, signal);
    const cursor = this.cursors[this.cursors.length - 1];
    try {
      return await ask(cursor);
    } catch (error) {
      // A cursor the server no longer takes (its service left the configuration).
      if (cursor === undefined || !(error instanceof ApiError) || error.field !== "cursor") {
        throw error;
      }
      this.cursors = [undefined];
      return ask(undefined);
    }
  }

  /** Asks for the names of the listed incidents' services not met on a page yet. */
  private async learnNames(incidents: readonly Incident[], signal: AbortSignal): Promise<void> {
    const unknown = [...new Set(incidents.map((i) => i.service))].filter(
      (id) => !this.known.has(id),
    );
    await Promise.all(
      unknown.map(async (id) => {
        const service = await api.service(id, signal).catch((error) => {
          if (isAbort(error)) throw error;
          return null;
        });
        if (service) this.known.set(id, { name: service.name, timeZone: service.timeZone });
      }),
    );
  }

  private filterChanged(): void {
    const status = this.statusSelect.value as ServiceStatus | "";
    const category = this.categorySelect.value as Category | "";
    this.filter = {
      ...(status ? { status } : {}),
      ...(category ? { category } : {}),
    };
    this.cursors = [undefined];
    this.context.reload();
  }

  private turn(by: 1 | -1): void {
    if (by === 1 && this.next === null) return;
    if (by === 1) this.cursors.push(this.next ?? undefined);
    else if (this.cursors.length > 1) this.cursors.pop();
    else return;
    this.turned = true;
    this.context.reload();
  }

  private showPager(): void {
    const number = this.cursors.length;
    const single = number === 1 && this.next === null;
    if (single) this.pager.setAttribute("hidden", "");
    else this.pager.removeAttribute("hidden");
    this.previousButton.disabled = number === 1;
    this.nextButton.disabled = this.next === null;
    setText(this.pageLabel, `Page ${number}`);
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
    const paged = this.cursors.length > 1 || this.next !== null;
    const what = `${services.length} ${services.length === 1 ? "service" : "services"}`;
    setText(
      this.counts,
      services.length === 0
        ? this.next === null
          ? "No services match these filters."
          : "No services match on this page; the next page may have some."
        : `${paged ? `Page ${this.cursors.length}: ` : ""}${what}: ${by("outage")} with an outage, ${by("elevated")} elevated, ${by("normal")} normal.`,
    );
    setAttr(this.grid, "data-count", String(services.length));
  }

  private showIncidents(incidents: Incident[]): void {
    const byId = this.known;
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
