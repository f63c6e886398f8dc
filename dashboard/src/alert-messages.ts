/**
 * The words of the "Get alerts" dialog for each answer of the subscription routes, so
 * a person reads what happened and what to do, never a status code.
 */
import { ApiError } from "./api";

/** Seconds to wait after a 429 or 503 that named no Retry-After. */
const RETRY_AFTER_DEFAULT_S = 60;

/** "3 minutes", "1 hour": a wait in the largest unit that reads naturally. */
export function waitWords(seconds: number): string {
  const [amount, unit] =
    seconds >= 5400
      ? [Math.round(seconds / 3600), "hour"]
      : seconds >= 90
        ? [Math.round(seconds / 60), "minute"]
        : [seconds, "second"];
  return `${amount} ${unit}${amount === 1 ? "" : "s"}`;
}

/** What to tell the person after an email subscription was taken. */
export const CHECK_INBOX =
  "Check your inbox for a message from AWS Notifications and follow its link. No alerts are sent until you do.";

/** What to tell the person after an SMS subscription was taken. */
export const codeSent = (phone: string): string =>
  `We texted a six-digit code to ${phone}. Type it here to confirm your alerts.`;

/** What to tell the person once their number is confirmed. */
export const CONFIRMED =
  "Your text alerts are confirmed. To end them, use Stop alerts at the top of the page or reply STOP to a text.";

/**
 * A refusal in words: a 400 naming a field of the form says what to change in it, a 404
 * that the channel is off, a 429 or 503 how long to wait.
 */
export function refusalMessage(error: unknown, what: "subscribe" | "confirm" | "stop"): string {
  const doing = {
    subscribe: "Your alerts could not be set up",
    confirm: "The code could not be confirmed",
    stop: "Your alerts could not be stopped",
  }[what];
  if (!(error instanceof ApiError)) return `${doing}: ${String(error)}.`;
  const wait = waitWords(error.retryAfter ?? RETRY_AFTER_DEFAULT_S);
  switch (error.status) {
    case 0:
      return `${doing}: the server cannot be reached. Please try again.`;
    case 400:
      return fieldMessage(error.field, error.message) ?? `${doing}: ${error.message}.`;
    case 404:
      return what === "subscribe"
        ? "This outcry does not send alerts this way (it is switched off here). Choose the other way, if it is offered."
        : `${doing}: ${error.message}.`;
    case 429:
      return `${doing}: too many tries just now (${error.message}). Please try again in ${wait}.`;
    case 503:
      return `${doing}: this outcry takes no more subscriptions just now. Please try again in ${wait}.`;
    default:
      return `${doing}: ${error.message}.`;
  }
}

/** A plain sentence for a 400 that named one of the form's fields. */
function fieldMessage(field: string | undefined, detail: string): string | undefined {
  switch (field) {
    case "email":
      return "That is not an email address. Type it in full, like name@example.org.";
    case "phone":
      return "That is not a phone number we can text. Type it with its country code, like +1 555 555 0123.";
    case "code":
      return `That code was not accepted (${detail}). Type the six digits of the text.`;
    case "subscription":
      return "No code waits for this number any more (it expired, or too many were wrong). Please start again for a new code.";
    case "altcha":
      return "The page's check that you are a person did not pass. Please send the form again.";
    default:
      return undefined;
  }
}
