/**
 * "Get alerts": a modal dialog (the native `<dialog>`: focus trapped, Escape closes,
 * focus returns) asking for an email address or a phone number, the services wanted
 * and whether growth updates are, posting `POST /subscriptions` with a solved challenge
 * as a report does. Email is confirmed by SNS's link; a text number by a second step
 * that posts its six-digit code to `POST /subscriptions/confirm`, whose unsubscribe
 * token the page keeps for "Stop alerts".
 */
import { CHECK_INBOX, CONFIRMED, codeSent, refusalMessage } from "./alert-messages";
import { keepToken } from "./alert-token";
import { ApiError, api, type ServiceSummary } from "./api";
import { h, setText } from "./dom";
import type { Announce } from "./report-dialog";

type Channel = "email" | "sms";

let counter = 0;

/** One labelled input in its own row; `hint` is read with it (aria-describedby). */
function row(id: string, label: string, input: HTMLInputElement, hint?: string): HTMLElement {
  input.id = id;
  const hintId = `${id}-hint`;
  if (hint) input.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { id: hintId, class: "hint" }, hint) : null,
    input,
  );
}

/**
 * The page's one alerts dialog.
 * @example
 * const alerts = new AlertsDialog(announce, () => header.update());
 * document.body.append(alerts.element);
 * button.addEventListener("click", () => alerts.open(button, service));
 */
export class AlertsDialog {
  readonly element: HTMLDialogElement;
  private readonly title: HTMLElement;
  private readonly request: HTMLFormElement;
  private readonly confirm: HTMLFormElement;
  private readonly done: HTMLElement;
  private readonly doneText: HTMLElement;
  private readonly email: HTMLInputElement;
  private readonly phone: HTMLInputElement;
  private readonly code: HTMLInputElement;
  private readonly channels: HTMLInputElement[];
  private readonly scope: HTMLElement;
  private readonly onlyService: HTMLInputElement;
  private readonly onlyServiceLabel: HTMLElement;
  private readonly updates: HTMLInputElement;
  private readonly errors: { request: HTMLElement; confirm: HTMLElement };
  private service: ServiceSummary | undefined;
  private opener: HTMLElement | undefined;
  /** The SMS subscription waiting for its code. */
  private pending: { subscription: string; phone: string } | undefined;
  /** A request is on its way: the forms wait for it. */
  private sending = false;

  /** `onConfirmed` runs when a token was kept (the header then offers "Stop alerts"). */
  constructor(
    private readonly announce: Announce,
    private readonly onConfirmed: () => void,
  ) {
    const n = ++counter;
    const titleId = `alerts-title-${n}`;
    this.title = h("h2", { id: titleId }, "Get alerts");
    this.email = h("input", { type: "email", name: "email", autocomplete: "email" });
    this.phone = h("input", { type: "tel", name: "phone", autocomplete: "tel" });
    this.code = h("input", {
      type: "text",
      name: "code",
      inputmode: "numeric",
      autocomplete: "one-time-code",
      maxlength: 6,
    });
    this.channels = (["email", "sms"] as const).map((value) =>
      h("input", { type: "radio", name: `alerts-channel-${n}`, value }),
    );
    const [byEmail, bySms] = this.channels as [HTMLInputElement, HTMLInputElement];
    byEmail.checked = true;
    const emailRow = row(`alerts-email-${n}`, "Email address", this.email);
    const phoneRow = row(
      `alerts-phone-${n}`,
      "Phone number",
      this.phone,
      "With its country code, e.g. +1 555 555 0123. Texts may cost what your plan charges.",
    );
    phoneRow.hidden = true;
    for (const choice of this.channels) {
      choice.addEventListener("change", () => {
        emailRow.hidden = !byEmail.checked;
        phoneRow.hidden = !bySms.checked;
      });
    }
    this.onlyService = h("input", { type: "radio", name: `alerts-scope-${n}`, value: "one" });
    this.onlyServiceLabel = h("span");
    const all = h("input", { type: "radio", name: `alerts-scope-${n}`, value: "all" });
    all.checked = true;
    this.scope = h(
      "fieldset",
      {},
      h("legend", {}, "Alerts about"),
      h("label", { class: "choice" }, this.onlyService, " ", this.onlyServiceLabel),
      h("label", { class: "choice" }, all, " All services"),
    );
    this.updates = h("input", { type: "checkbox", name: "updates" });
    this.errors = {
      request: h("p", { class: "form-error", role: "alert" }),
      confirm: h("p", { class: "form-error", role: "alert" }),
    };
    const cancel = () => {
      const button = h("button", { type: "button", class: "button" }, "Cancel");
      button.addEventListener("click", () => this.close());
      return button;
    };
    this.request = h(
      "form",
      { novalidate: true },
      h(
        "fieldset",
        {},
        h("legend", {}, "Send alerts by"),
        h("label", { class: "choice" }, byEmail, " Email"),
        h("label", { class: "choice" }, bySms, " Text message (SMS)"),
      ),
      emailRow,
      phoneRow,
      this.scope,
      h("label", { class: "choice" }, this.updates, " Also tell me when an outage grows"),
      this.errors.request,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "button primary" }, "Get alerts"),
        cancel(),
      ),
    );
    this.confirm = h(
      "form",
      { novalidate: true, hidden: true },
      h("p", { class: "code-sent", tabindex: -1 }),
      row(`alerts-code-${n}`, "Six-digit code", this.code),
      this.errors.confirm,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "button primary" }, "Confirm"),
        cancel(),
      ),
    );
    this.doneText = h("p", { class: "alerts-done", tabindex: -1 });
    const closeDone = h("button", { type: "button", class: "button primary" }, "Close");
    closeDone.addEventListener("click", () => this.close());
    this.done = h(
      "div",
      { hidden: true },
      this.doneText,
      h("div", { class: "actions" }, closeDone),
    );
    // The CSP's form-action 'none' would block a real submission; these post JSON.
    this.request.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.subscribe();
    });
    this.confirm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.confirmCode();
    });
    this.element = h(
      "dialog",
      { class: "report-dialog alerts-dialog", "aria-labelledby": titleId },
      this.title,
      this.request,
      this.confirm,
      this.done,
    );
    this.element.addEventListener("close", () => this.opener?.focus());
  }

  /** Opens the form; from a service's page, `service` is offered (and chosen) alone. */
  open(opener: HTMLElement, service?: ServiceSummary): void {
    this.opener = opener;
    this.service = service;
    this.pending = undefined;
    this.scope.hidden = !service;
    this.onlyService.checked = Boolean(service);
    (this.scope.querySelector('input[value="all"]') as HTMLInputElement).checked = !service;
    setText(this.onlyServiceLabel, service ? `Only ${service.name}` : "");
    setText(this.title, service ? `Get alerts about ${service.name}` : "Get alerts");
    this.show("request");
    for (const input of [this.email, this.phone, this.code]) input.removeAttribute("aria-invalid");
    setText(this.errors.request, "");
    this.element.showModal();
    this.channels.find((c) => c.checked)?.focus();
  }

  /** Closes the dialog. */
  close(): void {
    this.element.close();
  }

  private show(step: "request" | "confirm" | "done"): void {
    this.request.hidden = step !== "request";
    this.confirm.hidden = step !== "confirm";
    this.done.hidden = step !== "done";
  }

  private finish(message: string): void {
    setText(this.doneText, message);
    this.show("done");
    this.doneText.focus();
  }

  /** Marks `input` invalid with `message` (or clears it), and focuses it when invalid. */
  private flag(error: HTMLElement, input: HTMLInputElement | undefined, message: string): void {
    setText(error, message);
    for (const each of [this.email, this.phone, this.code]) {
      if (each === input) each.setAttribute("aria-invalid", "true");
      else each.removeAttribute("aria-invalid");
    }
    input?.focus();
  }

  private async subscribe(): Promise<void> {
    if (this.sending) return;
    const channel: Channel =
      this.channels.find((c) => c.checked)?.value === "sms" ? "sms" : "email";
    const input = channel === "email" ? this.email : this.phone;
    const address = input.value.trim();
    if (!address) {
      const what = channel === "email" ? "your email address" : "your phone number";
      this.flag(this.errors.request, input, `Type ${what}, then choose Get alerts.`);
      return;
    }
    this.flag(this.errors.request, undefined, "");
    this.sending = true;
    try {
      const receipt = await api.subscribe({
        ...(channel === "email" ? { email: address } : { phone: address }),
        ...(this.service && this.onlyService.checked ? { services: [this.service.id] } : {}),
        ...(this.updates.checked ? { updates: true } : {}),
      });
      if (receipt.confirmWith === "link") {
        this.finish(CHECK_INBOX);
        this.announce(CHECK_INBOX, "info");
        return;
      }
      this.pending = { subscription: receipt.subscription, phone: address };
      this.code.value = "";
      setText(this.errors.confirm, "");
      const sent = this.confirm.querySelector(".code-sent") as HTMLElement;
      setText(sent, codeSent(address));
      this.show("confirm");
      this.code.focus();
    } catch (error) {
      const named = error instanceof ApiError ? error.field : undefined;
      // A 404 is the deployment not taking this channel: the address field is what to change.
      const field =
        named === "email" ||
        named === "phone" ||
        (error instanceof ApiError && error.status === 404)
          ? input
          : undefined;
      const off = error instanceof ApiError && error.status === 404;
      this.flag(
        this.errors.request,
        field,
        off && channel === "sms"
          ? "This outcry does not send text messages. Choose Email instead."
          : refusalMessage(error, "subscribe"),
      );
    } finally {
      this.sending = false;
    }
  }

  private async confirmCode(): Promise<void> {
    const pending = this.pending;
    if (this.sending || !pending) return;
    const code = this.code.value.replace(/\s/g, "");
    if (!/^\d{6}$/.test(code)) {
      this.flag(this.errors.confirm, this.code, "Type the six digits of the code we texted you.");
      return;
    }
    this.flag(this.errors.confirm, undefined, "");
    this.sending = true;
    try {
      const confirmed = await api.confirmSubscription(pending.subscription, code);
      keepToken(confirmed.unsubscribeToken);
      this.pending = undefined;
      this.onConfirmed();
      this.finish(CONFIRMED);
      this.announce(CONFIRMED, "success");
    } catch (error) {
      const field = error instanceof ApiError && error.field === "code" ? this.code : undefined;
      this.flag(this.errors.confirm, field, refusalMessage(error, "confirm"));
    } finally {
      this.sending = false;
    }
  }
}
