/**
 * An incident's page (`#/incident/<id>`): its timeline in words (the same text the
 * notifications carry), the key moments, a chart of the span, what was reported and where
 * (the bar of problem kinds, the map), the services that spiked with it, and what the
 * service's own sources said meanwhile.
 */
import { ApiError, api, type IncidentDetail, isAbort, type ServiceSummary } from "../api";
import { ServiceChart } from "../chart";
import { chartModel, incidentRange } from "../chart-model";
import { h, setText } from "../dom";
import { duration, reports, time, viewerZone, zonedTime } from "../format";
import { CountsTable, reportButton, statusBadge } from "./parts";
import { replaceKeepingFocus, type View, type ViewContext } from "./view";
import { WhatAndWhere } from "./what-and-where";

/** The page of one incident. */
export class IncidentView implements View {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly crumbService: HTMLAnchorElement;
  private readonly state = statusBadge();
  private readonly timeline: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly zoneNote: HTMLElement;
  private readonly chart = new ServiceChart({ height: 260, compact: false, showCaption: true });
  private readonly chartError: HTMLElement;
  private readonly table = new CountsTable();
  // The API sums an incident's mix over its first 6 hours (`usecases/incident-mix.ts`).
  private readonly whatAndWhere = new WhatAndWhere(
    "incident-",
    "since the incident began (its first 6 hours)",
  );
  private readonly annotations: HTMLElement;
  private readonly notifications: HTMLElement;
  private readonly actions: HTMLElement;
  private incident: IncidentDetail | undefined;
  private service: ServiceSummary | undefined;

  constructor(
    private readonly id: string,
    private readonly context: ViewContext,
  ) {
    this.heading = h("h1", { tabindex: "-1" }, "Incident");
    this.crumbService = h("a", { href: "#/" });
    this.timeline = h("div", { class: "timeline" });
    this.facts = h("dl", { class: "facts" });
    this.zoneNote = h("p", { class: "muted" });
    this.chartError = h("p", { class: "chart-error" });
    this.annotations = h("div", {});
    this.notifications = h("div", {});
    this.actions = h("div", { class: "page-actions" });
    this.element = h(
      "div",
      { class: "view incident" },
      h(
        "nav",
        { "aria-label": "Breadcrumb", class: "crumbs" },
        h("a", { href: "#/" }, "All services"),
        h("span", { "aria-hidden": "true" }, " › "),
        this.crumbService,
      ),
      h("div", { class: "page-head" }, this.heading, this.state.element, this.actions),
      h(
        "section",
        { "aria-labelledby": "timeline-heading" },
        h("h2", { id: "timeline-heading" }, "Timeline"),
        this.timeline,
        this.facts,
        this.zoneNote,
      ),
      h(
        "section",
        { "aria-labelledby": "incident-chart-heading" },
        h("h2", { id: "incident-chart-heading" }, "Reports during the incident"),
        this.chart.element,
        this.chartError,
        this.table.element,
      ),
      ...this.whatAndWhere.elements,
      h(
        "section",
        { "aria-labelledby": "annotations-heading" },
        h("h2", { id: "annotations-heading" }, "What the sources said"),
        this.annotations,
      ),
      h(
        "section",
        { "aria-labelledby": "notifications-heading" },
        h("h2", { id: "notifications-heading" }, "Notifications"),
        this.notifications,
      ),
    );
  }

  title(): string {
    return this.incident ? `${this.incident.summary.subject} · outcry` : "Incident · outcry";
  }

  async load(signal: AbortSignal): Promise<void> {
    const [incident, health] = await Promise.all([
      api.incident(this.id, signal),
      // The server's clock ends an open incident's chart (the demo's clock is virtual).
      api.health(signal).catch((error) => {
        if (isAbort(error)) throw error;
        return null;
      }),
    ]);
    // Only the services it names: a deployment may have thousands.
    const services = await Promise.all(
      [incident.service, ...incident.correlatedWith].map((id) =>
        api.service(id, signal).catch((error) => {
          if (isAbort(error)) throw error;
          return null;
        }),
      ),
    );
    signal.throwIfAborted();
    this.incident = incident;
    const byId = new Map(services.flatMap((s) => (s ? [[s.id, s] as const] : [])));
    const service = byId.get(incident.service);
    this.service = service;
    const name = service?.name ?? incident.service;
    const zone = service?.timeZone ?? "UTC";
    setText(this.heading, `${name} ${incident.status === "open" ? "outage" : "incident"}`);
    setText(this.crumbService, name);
    this.crumbService.setAttribute("href", `#/service/${encodeURIComponent(incident.service)}`);
    // The incident's own state, in the colours of the matching service status.
    if (incident.status === "open") this.state.update("outage", "Open");
    else this.state.update("normal", "Resolved");
    this.showActions(service);

    // The timeline text is the notifications' own; paragraphs are kept, markup never.
    const paragraphs = incident.summary.text.split(/\n\s*\n/).filter((p) => p.trim());
    const text = paragraphs.join("\n\n");
    if (this.timeline.getAttribute("data-text") !== text) {
      this.timeline.setAttribute("data-text", text);
      this.timeline.replaceChildren(...paragraphs.map((p) => h("p", {}, p.trim())));
    }
    this.showFacts(incident, byId, zone);
    setText(
      this.zoneNote,
      zone === viewerZone()
        ? `Times are in ${name}'s zone, which is yours (${zone}).`
        : `The timeline tells times in ${name}'s zone (${zone}); the rest of the page uses yours (${viewerZone()}), with ${name}'s in brackets for the start, the peak and the resolution.`,
    );
    this.showAnnotations(incident, zone);
    this.showNotifications(incident, zone);

    const now = health ? Date.parse(health.time) : Date.now();
    try {
      const series = await api.series(incident.service, incidentRange(incident, now), signal);
      signal.throwIfAborted();
      setText(this.chartError, "");
      this.chart.update(chartModel(name, series, [incident], service?.baseline ?? null));
      this.table.update(series, name, zone);
    } catch (error) {
      if (isAbort(error)) throw error;
      const detail = error instanceof ApiError ? error.message : String(error);
      setText(this.chartError, `Chart unavailable: ${detail}`);
    }
    // Last: the first map of the page waits for its atlas, which nothing above needs.
    await this.whatAndWhere.update(incident.mix, signal);
  }

  destroy(): void {
    this.chart.destroy();
  }

  private showActions(service: ServiceSummary | undefined): void {
    if (!service || this.actions.firstChild) return;
    this.actions.append(
      reportButton(service.name, (button) => {
        if (this.service) this.context.dialog.open(this.service, button);
      }),
    );
  }

  private showFacts(
    incident: IncidentDetail,
    services: ReadonlyMap<string, ServiceSummary>,
    zone: string,
  ): void {
    const started = Date.parse(incident.startedAt);
    const resolved = incident.resolvedAt === null ? null : Date.parse(incident.resolvedAt);
    const at = (ms: number) => zonedTime(ms, zone, { withDate: true });
    const rows: [string, (Node | string)[]][] = [
      ["Started", at(started)],
      ["Peak", [`${reports(incident.peak.count)} at `, ...at(Date.parse(incident.peak.at))]],
      [
        "Resolved",
        resolved === null
          ? ["not yet"]
          : [...at(resolved), `, after ${duration(resolved - started)}`],
      ],
    ];
    if (resolved === null && incident.recovery) {
      // A forecast, so it says "around" and gives the range it may fall in.
      const { earliest, latest } = incident.recovery;
      rows.push([
        "Back to usual, forecast",
        [
          "around ",
          ...at(Date.parse(incident.recovery.at)),
          " (between ",
          ...at(Date.parse(earliest)),
          " and ",
          ...at(Date.parse(latest)),
          ")",
        ],
      ]);
    }
    if (incident.correlatedWith.length > 0) {
      const links: (Node | string)[] = [];
      incident.correlatedWith.forEach((id, i) => {
        if (i > 0) links.push(", ");
        links.push(
          h("a", { href: `#/service/${encodeURIComponent(id)}` }, services.get(id)?.name ?? id),
        );
      });
      rows.push(["Spiked at the same time", links]);
    }
    if (incident.crowdReports !== null) {
      rows.push(["Crowd reports, first hour", [crowdEvidence(incident.crowdReports)]]);
    }
    replaceKeepingFocus(
      this.facts,
      rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, ...value)]),
    );
  }

  private showNotifications(incident: IncidentDetail, zone: string): void {
    if (incident.notifications.length === 0) {
      this.notifications.replaceChildren(h("p", { class: "muted" }, "None recorded."));
      return;
    }
    this.notifications.replaceChildren(
      h(
        "ol",
        { class: "annotations" },
        ...incident.notifications.map((n) => {
          const when = n.sentAt ?? n.recordedAt;
          return h(
            "li",
            {},
            time(Date.parse(when), zone, { withDate: true }),
            ` · ${NOTIFICATION_STATE[n.state]}${recipientsText(n.recipients)}: `,
            n.subject,
          );
        }),
      ),
    );
  }

  private showAnnotations(incident: IncidentDetail, zone: string): void {
    if (incident.annotations.length === 0) {
      this.annotations.replaceChildren(
        h("p", { class: "muted" }, "Nothing was posted by the service's sources."),
      );
      return;
    }
    this.annotations.replaceChildren(
      h(
        "ol",
        { class: "annotations" },
        ...incident.annotations.map((a) =>
          h("li", {}, time(Date.parse(a.at), zone, { withDate: true }), ` · ${a.source}: `, a.text),
        ),
      ),
    );
  }
}

/** How each notification state reads on the page. */
const NOTIFICATION_STATE: Record<IncidentDetail["notifications"][number]["state"], string> = {
  pending: "waiting to be sent",
  sent: "sent",
  suppressed: "held back (maintenance window)",
  dead: "failed after retries",
};

function recipientsText(recipients: number | null): string {
  if (recipients === null) return "";
  // Recorded, but no subscriber or webhook wanted it (filters or quiet hours).
  if (recipients === 0) return " to nobody";
  return recipients === 1
    ? " to 1 recipient"
    : ` to ${recipients.toLocaleString("en-US")} recipients`;
}

/**
 * The crowd reports of an incident's first hour and the networks they came from: many
 * reports from few networks reads as a flood, not a crowd.
 * @example crowdEvidence({ counted: 1200, networks: 950 }) // "1,200 from 950 networks"
 */
export function crowdEvidence(evidence: { counted: number; networks: number }): string {
  const count = evidence.counted.toLocaleString("en-US");
  const networks = evidence.networks.toLocaleString("en-US");
  return `${count} from ${networks} network${evidence.networks === 1 ? "" : "s"}`;
}
