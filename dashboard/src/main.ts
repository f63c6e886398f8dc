/**
 * The dashboard's entry point: the hash router (`#/`, `#/service/<id>`,
 * `#/incident/<id>`, so `GET /` stays the only HTML route), the refresh every minute
 * (paused while the tab is hidden), the live region for outcomes, and the page states
 * around the views (loading, error, API key needed), and the header's alert controls.
 */
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import "./what-and-where.css";
import { AlertsDialog } from "./alerts-dialog";
import { AlertsHeader } from "./alerts-header";
import { ApiError, isAbort, setApiKey } from "./api";
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
const alertControls = new AlertsHeader(announce);
const alerts = new AlertsDialog(announce, () => alertControls.update());
alertControls.attach(alerts);
document.querySelector(".site-header .wrap")?.append(alertControls.element);
document.body.append(dialog.element, alerts.element);
const context: ViewContext = { dialog, alerts, announce, reload: () => void refresh() };

let view: View | undefined;
/** What `main` shows: the view's element, or a screen in its place. */
let screen: "view" | "error" | "key" = "view";
/** The screen's message, updated in place while the same screen stays up. */
let screenMessage: HTMLElement | undefined;
/** The load in flight; aborted when the page is left or another load starts. */
let loading: AbortController | undefined;
/** Bumped by every load and every navigation: the answer of an older one is ignored. */
let sequence = 0;
let navigations = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
/** When the current page last loaded; 0 before its first successful load. */
let lastLoaded = 0;
/** The current page does not exist (404): it is not asked for again. */
let gone = false;
/** A failed refresh was announced; said once until a refresh succeeds. */
let failureAnnounced = false;
let loads = 0;

function makeView(route: Route): View {
  if (route.kind === "service") return new ServiceView(route.id, context);
  if (route.kind === "incident") return new IncidentView(route.id, context);
  return new OverviewView(context);
}

/** Schedules the next refresh; never while hidden, while one runs, or for a 404. */
function schedule(delay: number): void {
  clearTimeout(timer);
  timer = undefined;
  if (document.visibilityState === "hidden" || !view || gone || loading) return;
  timer = setTimeout(() => void refresh(), Math.max(0, delay));
}

/**
 * Puts a screen (a heading, a message and `rest`) in the view's place. While the same
 * screen is up, only its message changes: a refresh must not wipe what is being typed.
 * @returns whether the screen was built anew
 */
function showScreen(kind: "error" | "key", title: string, message: string, rest: () => Node) {
  if (screen === kind && screenMessage && main.querySelector("h1")?.textContent === title) {
    setText(screenMessage, message);
    return false;
  }
  screen = kind;
  screenMessage = h("p", {}, message);
  replaceChildren(main, h("h1", { tabindex: "-1" }, title), screenMessage, rest());
  return true;
}

function showError(title: string, detail: string): void {
  showScreen("error", title, detail, () => {
    const retry = h("button", { type: "button", class: "button" }, "Try again");
    retry.addEventListener("click", () => void navigate(true));
    return h("p", {}, h("a", { href: "#/" }, "All services"), " ", retry);
  });
}

function showFailure(error: unknown): void {
  const problem = error instanceof ApiError ? error : undefined;
  const detail = problem ? problem.message : String(error);
  if (problem?.status === 401) {
    showKeyForm(detail);
  } else if (problem?.status === 404) {
    gone = true;
    showError("Not found", detail);
  } else if (lastLoaded === 0) {
    showError("Could not load this page", detail);
  } else {
    showStale(detail);
  }
}

/** A refresh failed: what is on screen stays, said to be stale (to a screen reader once). */
function showStale(detail: string): void {
  setText(
    updated,
    `Could not refresh at ${viewerClock(Date.now())}: ${detail}. Showing the data of ${viewerClock(lastLoaded)}; trying again every minute.`,
  );
  if (!failureAnnounced) {
    failureAnnounced = true;
    announce(
      `Could not refresh the data (${detail}). Showing the data of ${viewerClock(lastLoaded)}; trying again every minute.`,
      "error",
    );
  }
}

function showKeyForm(detail: string): void {
  const input = h("input", {
    id: "api-key",
    type: "password",
    autocomplete: "off",
    required: true,
  });
  const built = showScreen(
    "key",
    "An API key is needed",
    `This outcry asks for an API key to read its data (${detail}). It is kept in this tab only.`,
    () => {
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
      return form;
    },
  );
  if (built) input.focus();
}

/** Puts the view back in place of a screen (after a failed first load, or a 401). */
function mountView(current: View): void {
  if (screen === "view" && current.element.parentNode === main) return;
  const focused = main.contains(document.activeElement);
  screen = "view";
  screenMessage = undefined;
  replaceChildren(main, current.element);
  if (focused) current.element.querySelector<HTMLElement>("h1")?.focus();
}

async function refresh(): Promise<void> {
  const current = view;
  if (!current || gone) return;
  clearTimeout(timer);
  timer = undefined;
  loading?.abort();
  const control = new AbortController();
  loading = control;
  const mine = ++sequence;
  try {
    await current.load(control.signal);
    if (mine !== sequence) return;
    lastLoaded = Date.now();
    failureAnnounced = false;
    mountView(current);
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
    if (mine !== sequence || isAbort(error)) return;
    showFailure(error);
  } finally {
    if (mine === sequence) {
      loading = undefined;
      schedule(REFRESH_MS);
    }
  }
}

async function navigate(force = false): Promise<void> {
  const route = parseRoute(location.hash);
  if (!route) return;
  const key = JSON.stringify(route);
  const initial = !main.hasAttribute("data-route");
  if (!force && main.getAttribute("data-route") === key) return;
  const mine = ++navigations;
  view?.destroy();
  view = undefined;
  loading?.abort();
  loading = undefined;
  sequence++;
  clearTimeout(timer);
  lastLoaded = 0;
  gone = false;
  failureAnnounced = false;
  screen = "view";
  main.setAttribute("data-route", key);
  main.removeAttribute("data-loaded");
  if (route.kind === "notFound") {
    gone = true;
    document.title = "Not found · outcry";
    showError("Not found", "This address names no service and no incident.");
  } else {
    view = makeView(route);
    replaceChildren(main, view.element);
    await refresh();
  }
  if (!initial && mine === navigations) {
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
    // Not while a load is in flight (its end schedules the next), nor for a 404.
    schedule(REFRESH_MS - (Date.now() - lastLoaded));
  }
});
void navigate();
