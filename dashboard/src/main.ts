/**
 * The dashboard's entry point: the hash router (`#/`, `#/service/<id>`,
 * `#/incident/<id>`, so `GET /` stays the only HTML route), the refresh every minute
 * (paused while the tab is hidden), the live region for outcomes, and the page states
 * around the views (loading, error, API key needed).
 */
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { ApiError, setApiKey } from "./api";
import { h, replaceChildren, setText } from "./dom";
import { viewerClock, viewerZone } from "./format";
import { type Announce, ReportDialog } from "./report-dialog";
import { parseRoute, type Route } from "./router";
import { IncidentView } from "./views/incident-page";
import { OverviewView } from "./views/overview";
import { ServiceView } from "./views/service-page";
import type { View, ViewContext } from "./views/view";

/** Time between refreshes while the tab is visible. */
export const REFRESH_MS = 60_000;

const main = document.getElementById("main") as HTMLElement;
const notice = document.getElementById("notice") as HTMLElement;
const updated = document.getElementById("updated") as HTMLElement;

const announce: Announce = (message, tone) => {
  // Emptied first so that the same sentence twice is announced twice.
  notice.textContent = "";
  notice.className = `notice notice-${tone}`;
  requestAnimationFrame(() => setText(notice, message));
};

const dialog = new ReportDialog(announce);
document.body.append(dialog.element);
const context: ViewContext = { dialog, announce };

let view: View | undefined;
let generation = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let lastLoaded = 0;
let loads = 0;

function makeView(route: Route): View {
  if (route.kind === "service") return new ServiceView(route.id, context);
  if (route.kind === "incident") return new IncidentView(route.id, context);
  return new OverviewView(context);
}

function schedule(delay: number): void {
  clearTimeout(timer);
  timer = undefined;
  if (document.visibilityState === "hidden") return;
  timer = setTimeout(() => void refresh(), Math.max(0, delay));
}

function showFailure(error: unknown, first: boolean): void {
  const problem = error instanceof ApiError ? error : undefined;
  if (problem?.status === 401) {
    showKeyForm(problem.message);
    return;
  }
  const detail = problem ? problem.message : String(error);
  if (!first) {
    // Keep what is on screen; say it is stale.
    setText(
      updated,
      `Could not refresh at ${viewerClock(Date.now())}: ${detail}. Showing the data of ${viewerClock(lastLoaded)}; trying again every minute.`,
    );
    return;
  }
  const retry = h("button", { type: "button", class: "button" }, "Try again");
  retry.addEventListener("click", () => void navigate(true));
  replaceChildren(
    main,
    h("h1", { tabindex: "-1" }, problem?.status === 404 ? "Not found" : "Could not load this page"),
    h("p", {}, detail),
    h("p", {}, h("a", { href: "#/" }, "All services"), " ", retry),
  );
}

function showKeyForm(detail: string): void {
  const input = h("input", {
    id: "api-key",
    type: "password",
    autocomplete: "off",
    required: true,
  });
  const form = h(
    "form",
    { class: "key-form" },
    h("label", { for: "api-key" }, "API key"),
    input,
    h("button", { type: "submit", class: "button primary" }, "Use this key"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setApiKey(input.value.trim() || null);
    void navigate(true);
  });
  replaceChildren(
    main,
    h("h1", { tabindex: "-1" }, "An API key is needed"),
    h(
      "p",
      {},
      `This outcry asks for an API key to read its data (${detail}). It is kept in this tab only.`,
    ),
    form,
  );
  input.focus();
}

async function refresh(first = false): Promise<void> {
  const current = view;
  const mine = generation;
  if (!current) return;
  clearTimeout(timer);
  try {
    await current.load();
    if (mine !== generation) return;
    lastLoaded = Date.now();
    document.title = current.title();
    setText(
      updated,
      `Updated at ${viewerClock(lastLoaded)} · refreshes every minute · times in your zone (${viewerZone()})`,
    );
    main.setAttribute("data-loaded", String(++loads));
    if (loads === 1) {
      // After the frame that paints the first data: what the dashboard bench measures.
      requestAnimationFrame(() => performance.mark("outcry:first-render"));
    }
  } catch (error) {
    if (mine !== generation) return;
    showFailure(error, first);
  } finally {
    if (mine === generation) schedule(REFRESH_MS);
  }
}

async function navigate(force = false): Promise<void> {
  const route = parseRoute(location.hash);
  if (!route) return;
  const key = JSON.stringify(route);
  if (!force && view && main.getAttribute("data-route") === key) return;
  const initial = view === undefined;
  view?.destroy();
  generation++;
  view = makeView(route);
  main.setAttribute("data-route", key);
  main.removeAttribute("data-loaded");
  replaceChildren(main, view.element);
  await refresh(true);
  if (!initial) {
    // A new page: start reading at its heading, as after a page load.
    window.scrollTo(0, 0);
    main.querySelector<HTMLElement>("h1")?.focus();
  }
}

document.querySelector(".skip-link")?.addEventListener("click", (event) => {
  // Not a route: focus the content without touching the hash.
  event.preventDefault();
  main.focus();
});
window.addEventListener("hashchange", () => void navigate());
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") {
    clearTimeout(timer);
    timer = undefined;
  } else {
    schedule(REFRESH_MS - (Date.now() - lastLoaded));
  }
});
void navigate();
