/**
 * "Report a problem": a modal dialog (the native `<dialog>`, which traps focus, closes
 * on Escape and returns focus) listing the problem kinds of the service's category,
 * posting to `POST /reports`, and saying what happened in the page's live region.
 */
import { ApiError, api, type ServiceSummary } from "./api";
import { h, replaceChildren, setText } from "./dom";
import { problemChoices, problemLabel } from "./problem-kinds";

/** Where outcomes are announced (a polite live region the page keeps). */
export type Announce = (message: string, tone: "success" | "info" | "error") => void;

/**
 * Sentence for an answer of `POST /reports`.
 * @example outcomeMessage("accepted", "T-Mobile", "no-signal")
 */
export function outcomeMessage(
  result: "accepted" | "duplicate",
  serviceName: string,
  problem: string,
): string {
  const kind = problemLabel(problem).toLowerCase();
  return result === "accepted"
    ? `Thank you: your report of ${kind} problems with ${serviceName} was counted.`
    : `You already reported a problem with ${serviceName} recently; it is counted once.`;
}

/** Sentence for a failed report. */
export function failureMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return `The report could not be sent: ${String(error)}.`;
  if (error.status === 429) {
    const wait = error.retryAfter ? ` in ${error.retryAfter} seconds` : " in a minute";
    return `Too many reports from your network just now. Please try again${wait}.`;
  }
  if (error.status === 0) return "The report could not be sent: the server cannot be reached.";
  return `The report was not accepted: ${error.message}.`;
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
  private readonly error: HTMLElement;
  private readonly submit: HTMLButtonElement;
  private service: ServiceSummary | undefined;
  private opener: HTMLElement | undefined;

  constructor(private readonly announce: Announce) {
    const titleId = `report-title-${++counter}`;
    this.title = h("h2", { id: titleId });
    this.choices = h("div", { class: "choices" });
    this.error = h("p", { class: "form-error", role: "alert" });
    this.submit = h("button", { type: "submit", class: "button primary" }, "Send report");
    const cancel = h("button", { type: "button", class: "button" }, "Cancel");
    cancel.addEventListener("click", () => this.close());
    const form = h(
      "form",
      { novalidate: true },
      this.title,
      h("fieldset", {}, h("legend", {}, "What is not working?"), this.choices),
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
    this.service = service;
    this.opener = opener;
    setText(this.title, `Report a problem with ${service.name}`);
    setText(this.error, "");
    this.submit.disabled = false;
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
    this.element.showModal();
    this.choices.querySelector("input")?.focus();
  }

  /** Closes the dialog without sending. */
  close(): void {
    this.element.close();
  }

  private async send(form: HTMLFormElement): Promise<void> {
    const service = this.service;
    const chosen = form.querySelector<HTMLInputElement>("input[type=radio]:checked");
    if (!service) return;
    if (!chosen) {
      setText(this.error, "Choose what is not working, then send the report.");
      this.choices.querySelector("input")?.focus();
      return;
    }
    setText(this.error, "");
    this.submit.disabled = true;
    try {
      const result = await api.report(service.id, chosen.value);
      this.close();
      this.announce(
        outcomeMessage(result.status, service.name, result.problem),
        result.status === "accepted" ? "success" : "info",
      );
    } catch (error) {
      // Kept open so the reporter can try again or pick another kind.
      setText(this.error, failureMessage(error));
      this.submit.disabled = false;
    }
  }
}
