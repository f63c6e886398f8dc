/**
 * The header's alert controls: "Get alerts" opens the alerts dialog for all services,
 * and "Stop alerts", shown while this browser keeps an unsubscribe token for this
 * deployment, ends that subscription and forgets the token.
 */
import { refusalMessage } from "./alert-messages";
import { keepToken, keptToken } from "./alert-token";
import type { AlertsDialog } from "./alerts-dialog";
import { ApiError, api } from "./api";
import { h } from "./dom";
import type { Announce } from "./report-dialog";

/**
 * The header's two buttons, in one group.
 * @example
 * const controls = new AlertsHeader(announce);
 * controls.attach(dialog);
 * document.querySelector(".site-header .wrap")?.append(controls.element);
 */
export class AlertsHeader {
  readonly element: HTMLElement;
  private readonly get: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  private stopping = false;

  constructor(private readonly announce: Announce) {
    this.get = h("button", { type: "button", class: "button alerts-get" }, "Get alerts");
    this.stop = h("button", { type: "button", class: "button alerts-stop" }, "Stop alerts");
    this.stop.addEventListener("click", () => void this.unsubscribe());
    this.element = h("div", { class: "header-actions" }, this.get, this.stop);
    this.update();
  }

  /** Makes "Get alerts" open `dialog`. */
  attach(dialog: AlertsDialog): void {
    this.get.addEventListener("click", () => dialog.open(this.get));
  }

  /** Shows "Stop alerts" only while a token is kept. */
  update(): void {
    this.stop.hidden = keptToken() === null;
  }

  private async unsubscribe(): Promise<void> {
    const token = keptToken();
    if (this.stopping || !token) return;
    this.stopping = true;
    this.stop.disabled = true;
    try {
      await api.unsubscribe(token);
      keepToken(null);
      this.announce("Your alerts are stopped. Nothing more will be sent to you.", "success");
    } catch (error) {
      if (error instanceof ApiError && error.field === "token") {
        // A token this deployment does not know ends nothing: keeping it would only mislead.
        keepToken(null);
        this.announce(
          "This browser's alerts were already ended (the deployment does not know them). To stop others, reply STOP to a text or use the link at the foot of an email.",
          "info",
        );
      } else {
        this.announce(refusalMessage(error, "stop"), "error");
      }
    } finally {
      this.stopping = false;
      this.stop.disabled = false;
      const wasFocused = document.activeElement === this.stop;
      this.update();
      // The button just used may be gone: keep focus in the header, on its neighbour.
      if (wasFocused && this.stop.hidden) this.get.focus();
    }
  }
}
