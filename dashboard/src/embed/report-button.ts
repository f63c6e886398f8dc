/**
 * The embeddable report button (`GET /embed/report?service=<id>`, framed on a vendor's or
 * a newsroom's page): "Report a problem with <Service>" opens a form with the service's
 * problem kinds and a region picker, solves the report challenge and posts to
 * `POST /reports` on its own origin, as the dashboard's report dialog does, and says
 * what happened. The service comes from the data block the api wrote into the page.
 */
import { EMBEDDED_SERVICE_ELEMENT, type EmbeddedService } from "../../../contract/embedded-service";
import { ApiError, api } from "../api";
import { h, replaceChildren, setText } from "../dom";
import { problemChoices } from "../problem-kinds";
import { regionPicker } from "../region-picker";
import { failureMessage, outcomeMessage, RETRY_AFTER_DEFAULT_S } from "../report-dialog";
import "./report-button.css";

/** The service the api wrote into the page; undefined when the block is missing or broken. */
function embeddedService(): EmbeddedService | undefined {
  try {
    const text = document.getElementById(EMBEDDED_SERVICE_ELEMENT)?.textContent;
    return text ? (JSON.parse(text) as EmbeddedService) : undefined;
  } catch {
    return undefined;
  }
}

/** A select of `options` (value, label) under a visible label. */
function field(id: string, label: string, options: [string, string][], first: string) {
  const select = h(
    "select",
    { id, name: id },
    h("option", { value: "" }, first),
    ...options.map(([value, text]) => h("option", { value }, text)),
  );
  return { select, element: h("div", { class: "field" }, h("label", { for: id }, label), select) };
}

/** Builds the button and its form into `root` for `service`. */
function mount(root: HTMLElement, service: EmbeddedService): void {
  const opener = h(
    "button",
    { type: "button", class: "button primary", "aria-expanded": "false", "aria-controls": "form" },
    `Report a problem with ${service.name}`,
  );
  const problem = field(
    "problem",
    "What is not working?",
    problemChoices(service.category).map(({ kind, label }) => [kind, label]),
    "Choose one",
  );
  const region = regionPicker("region", service.area);
  const error = h("p", { class: "error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary" }, "Send report");
  const cancel = h("button", { type: "button", class: "button" }, "Cancel");
  const form = h(
    "form",
    {
      id: "form",
      hidden: true,
      novalidate: true,
      "aria-label": `Report a problem with ${service.name}`,
    },
    problem.element,
    region.element,
    error,
    h("div", { class: "actions" }, submit, cancel),
  );
  const status = h("p", { class: "status", role: "status" });
  replaceChildren(root, opener, form, status);

  let sending = false;
  /** Until when (ms) the API asked this network to wait (429). */
  let waitUntil = 0;
  const updateSend = () => {
    submit.disabled = sending || Date.now() < waitUntil;
  };
  const show = (open: boolean) => {
    form.hidden = !open;
    opener.setAttribute("aria-expanded", String(open));
    if (open) {
      setText(status, "");
      problem.select.focus();
    } else {
      setText(error, "");
      opener.focus();
    }
  };
  opener.addEventListener("click", () => show(form.hidden));
  cancel.addEventListener("click", () => show(false));
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") show(false);
  });
  form.addEventListener("submit", (event) => {
    // The CSP's form-action 'none' would block a real submission; this posts JSON.
    event.preventDefault();
    if (sending || Date.now() < waitUntil) return;
    const kind = problem.select.value;
    if (!kind) {
      problem.select.setAttribute("aria-invalid", "true");
      setText(error, "Choose what is not working, then send the report.");
      problem.select.focus();
      return;
    }
    problem.select.removeAttribute("aria-invalid");
    setText(error, "");
    setText(status, "Sending your report…");
    sending = true;
    updateSend();
    api
      .report(service.id, kind, region.select.value || undefined)
      .then((result) => {
        show(false);
        setText(status, outcomeMessage(result.status, service.name, result.problem));
      })
      .catch((failure: unknown) => {
        setText(status, "");
        if (failure instanceof ApiError && failure.status === 429) {
          const seconds = failure.retryAfter ?? RETRY_AFTER_DEFAULT_S;
          waitUntil = Date.now() + seconds * 1000;
          setTimeout(updateSend, seconds * 1000);
        }
        // Kept open so the reporter can try again or pick another kind.
        setText(error, failureMessage(failure));
      })
      .finally(() => {
        sending = false;
        updateSend();
      });
  });
}

const root = document.getElementById("report");
const service = embeddedService();
if (root && service) mount(root, service);
else if (root)
  setText(root, "This report button has no service; its page was not served by outcry.");
