/** What every page of the dashboard is, to the router in `main.ts`. */
import type { AlertsDialog } from "../alerts-dialog";
import type { Announce, ReportDialog } from "../report-dialog";

/** What views are given. */
export interface ViewContext {
  dialog: ReportDialog;
  /** The "Get alerts" dialog, which a service's page opens for that service. */
  alerts: AlertsDialog;
  announce: Announce;
  /** Loads the current view again now (after the reader changed what it shows). */
  reload: () => void;
}

/**
 * One page (overview, service, incident). The router mounts `element`, calls `load`
 * once and then again on every refresh; `load` updates in place, so focus, scroll and
 * a half-filled dialog survive a refresh.
 */
export interface View {
  readonly element: HTMLElement;
  /** The document title for this page (after the first load). */
  title(): string;
  /**
   * Fetches and shows the newest data; rejects when the page's main data failed. Once
   * `signal` aborts (a newer load started, or the page was left) it shows nothing more.
   */
  load(signal: AbortSignal): Promise<void>;
  destroy(): void;
}

/**
 * Replaces a container's children, then puts focus back on the equivalent element
 * (same `data-key` or `href`) if focus was inside: a refreshed list keeps the reader's
 * place.
 */
export function replaceKeepingFocus(container: Element, children: readonly Node[]): void {
  const active = document.activeElement;
  const key =
    active && container.contains(active)
      ? (active.getAttribute("data-key") ?? active.getAttribute("href"))
      : null;
  container.replaceChildren(...children);
  if (key === null) return;
  for (const candidate of Array.from(
    container.querySelectorAll<HTMLElement>("[data-key], [href]"),
  )) {
    if ((candidate.getAttribute("data-key") ?? candidate.getAttribute("href")) === key) {
      candidate.focus();
      return;
    }
  }
}
