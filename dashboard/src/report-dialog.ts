/**
 * "Report a problem": a modal dialog (the native `<dialog>`, which traps focus, closes
 * on Escape and returns focus) listing the problem kinds of the service's category and,
 * optionally, the regions of its area (`region-picker.ts`), posting to `POST /reports`,
 * and saying what happened in the page's live region.
 */
import { ApiError, api, type ReportResult, type ServiceSummary } from "./api";
import { h, replaceChildren, setText } from "./dom";
import { problemChoices, problemLabel } from "./problem-kinds";
import { regionPicker } from "./region-picker";

/** Where outcomes are announced (a polite live region the page keeps). */
export type Announce = (message: string, tone: "success" | "info" | "error") => void;

/**
 * Sentence for an answer of `POST /reports`.
 * @example outcomeMessage("accepted", "T-Mobile", "no-signal")
 */
export function outcomeMessage(
  result: ReportResult["status"],
  serviceName: string,
  problem: string,
): string {
  const kind = problemLabel(problem).toLowerCase();
  switch (result) {
    case "accepted":
      return `Thank you: your report of ${kind} problems with ${serviceName} was counted.`;
    case "duplicate":
      return `You already reported a problem with ${serviceName} recently; it is counted once.`;
    case "capped":
      return `Thank you: ${serviceName} has many reports from your network already, so yours is kept but not counted again.`;
  }
}

/** Sentence for a failed report. */
export function failureMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return `The report could not be sent: ${String(error)}.`;
  if (error.status === 429) return waitMessage(error.retryAfter ?? RETRY_AFTER_DEFAULT_S);
  if (error.status === 0) return "The report could not be sent: the server cannot be reached.";
  return `The report was not accepted: ${error.message}.`;
}

/** Seconds to wait after a 429 that named no Retry-After. */
export const RETRY_AFTER_DEFAULT_S = 60;

/** What a 429 asks of the reporter; Send stays off until then. */
export function waitMessage(seconds: number): string {
  const wait = seconds === 1 ? "1 second" : `${seconds} seconds`;
  return `Too many reports from your network just now. Please try again in ${wait}; Send is off until then.`;
}

let counter = 0;

/**
 * The page's one report dialog, filled for a service each time it opens.
 * @example
 * const dialog = new ReportDialog(announce);
 * document.body.append(dialog.element);
 * button.addEventListener("click", () => dialog.open(service, button));
 */
export class ReportDialog {
  readonly element: HTMLDialogElement;
  private readonly title: HTMLElement;
  private readonly choices: HTMLElement;
  /** Holds the region picker of the service's area, made anew at each opening. */
  private readonly where: HTMLElement;
  private region: HTMLSelectElement | undefined;
  private readonly error: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private service: ServiceSummary | undefined;
  private opener: HTMLElement | undefined;
  /** Bumped by every opening: an answer to an earlier one leaves the dialog alone. */
  private opened = 0;
  /** A report is on its way (from this opening or an earlier one): Send waits for it. */
  private sending = false;
  /** Until when (ms) the API asked this network to wait (429 with Retry-After). */
  private waitUntil = 0;
  private waitTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly announce: Announce) {
    const titleId = `report-title-${++counter}`;
    this.title = h("h2", { id: titleId });
    this.choices = h("div", { class: "choices" });
    this.where = h("div", { class: "where" });
    this.error = h("p", { class: "form-error", role: "alert" });
    this.submit = h("button", { type: "submit", class: "button primary" }, "Send report");
    const cancel = h("button", { type: "button", class: "button" }, "Cancel");
    cancel.addEventListener("click", () => this.close());
    const form = h(
      "form",
      { novalidate: true },
      this.title,
      h("fieldset", {}, h("legend", {}, "What is not working?"), this.choices),
      this.where,
      this.error,
      h("div", { class: "actions" }, this.submit, cancel),
    );
    form.addEventListener("submit", (event) => {
      // The CSP's form-action 'none' would block a real submission; this posts JSON.
      event.preventDefault();
      void this.send(form);
    });
    this.element = h("dialog", { class: "report-dialog", "aria-labelledby": titleId }, form);
    this.element.addEventListener("close", () => this.opener?.focus());
  }

  /** Opens the dialog for `service`; focus returns to `opener` when it closes. */
  open(service: ServiceSummary, opener: HTMLElement): void {
    this.opened++;
    this.service = service;
    this.opener = opener;
    setText(this.title, `Report a problem with ${service.name}`);
    const waiting = this.secondsToWait();
    setText(this.error, waiting > 0 ? waitMessage(waiting) : "");
    this.updateSend();
    const name = `problem-${counter}`;
    replaceChildren(
      this.choices,
      ...problemChoices(service.category).map(({ kind, label }) =>
        h(
          "label",
          { class: "choice" },
          h("input", { type: "radio", name, value: kind }),
          ` ${label}`,
        ),
      ),
    );
    const picker = regionPicker(`report-region-${counter}`, service.area);
    this.region = picker.select;
    replaceChildren(this.where, picker.element);
    this.element.showModal();
    this.choices.querySelector("input")?.focus();
  }

  /** Closes the dialog without sending. */
  close(): void {
    this.element.close();
  }

  private secondsToWait(): number {
    return Math.max(0, Math.ceil((this.waitUntil - Date.now()) / 1000));
  }

  private updateSend(): void {
    this.submit.disabled = this.sending || this.secondsToWait() > 0;
  }

  /** Keeps Send off for `seconds` (a 429), then says it can be used again. */
  private wait(seconds: number): void {
    this.waitUntil = Date.now() + seconds * 1000;
    clearTimeout(this.waitTimer);
    this.waitTimer = setTimeout(() => {
      this.updateSend();
      if (this.element.open && this.error.textContent?.startsWith("Too many")) {
        setText(this.error, "You can send the report now.");
      }
    }, seconds * 1000);
    if (this.element.open) setText(this.error, waitMessage(seconds));
  }

  private async send(form: HTMLFormElement): Promise<void> {
    const service = this.service;
    const mine = this.opened;
    const chosen = form.querySelector<HTMLInputElement>("input[type=radio]:checked");
    // Enter submits even while Send is off: one report at a time, and not while waiting.
    if (!service || this.sending || this.secondsToWait() > 0) return;
    if (!chosen) {
      setText(this.error, "Choose what is not working, then send the report.");
      this.choices.querySelector("input")?.focus();
      return;
    }
    setText(this.error, "");
    this.sending = true;
    this.updateSend();
    try {
      const result = await api.report(service.id, chosen.value, this.region?.value || undefined);
      // Told even when the dialog was closed (or opened again) meanwhile: it counted.
      this.announce(
        outcomeMessage(result.status, service.name, result.problem),
        result.status === "accepted" ? "success" : "info",
      );
      if (mine === this.opened) this.close();
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) {
        // The limit is the network's, whichever dialog is open now.
        this.wait(error.retryAfter ?? RETRY_AFTER_DEFAULT_S);
      } else if (mine === this.opened) {
        // Kept open so the reporter can try again or pick another kind.
        setText(this.error, failureMessage(error));
      }
    } finally {
      this.sending = false;
      this.updateSend();
    }
  }
}
