/**
 * The body a webhook receives: JSON that Slack's incoming webhooks accept (`text`, and
 * `blocks` for Slack itself), carrying the same five-second summary as the email and the
 * SMS. Hosts that read only `text` (Mattermost, Rocket.Chat and other Slack-compatible
 * endpoints) still get the whole summary there.
 *
 * Every piece of our text goes through {@link escapeMrkdwn}: Slack reads `<...>` as links,
 * mentions (`<!channel>`, `<@U123>`) and dates, so a service name must not be able to
 * write one. Link unfurling is off, so a URL-looking name stays plain text too.
 */
import type { IncidentSummary } from "../incident";

/** Slack's limits: a section's text, a header's text, blocks per message. */
const SECTION_MAX = 3000;
const HEADER_MAX = 150;
const MAX_SECTIONS = 45;

/** A Slack Block Kit block, of the kinds used here. */
export type SlackBlock =
  | { type: "header"; text: { type: "plain_text"; text: string; emoji: false } }
  | { type: "section"; text: { type: "mrkdwn"; text: string } }
  | { type: "context"; elements: { type: "mrkdwn"; text: string }[] };

/** The JSON body posted to a webhook. */
export interface SlackMessage {
  /** The whole summary in mrkdwn: the notification text, and all that plain hosts show. */
  text: string;
  blocks: SlackBlock[];
  unfurl_links: false;
  unfurl_media: false;
}

/**
 * Escapes the three characters Slack's mrkdwn gives meaning to (`&`, `<`, `>`), so text
 * can neither open a link nor mention anyone.
 * @example escapeMrkdwn("AT&T <!channel>") // "AT&amp;T &lt;!channel&gt;"
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `text` cut at a word so that `measure` of it (plus an ellipsis) is at most `max`. */
function shortened(text: string, max: number, measure: (s: string) => number): string {
  if (measure(text) <= max) return text;
  let cut = text.slice(0, max);
  while (cut.length > 0 && measure(`${cut}…`) > max) cut = cut.slice(0, -1);
  const atWord = cut.replace(/\s+\S*$/, "");
  return `${atWord.length > 0 ? atWord : cut}…`;
}

const escapedLength = (s: string) => escapeMrkdwn(s).length;

/**
 * The webhook body for a message's summary: the subject in bold (a header block in Slack),
 * then each paragraph of the timeline (one per incident of a group).
 * @example slackMessage(summary).text // "*T-Mobile outage: more than 8,000 reports…*\nReports of T-Mobile problems…"
 */
export function slackMessage(summary: IncidentSummary): SlackMessage {
  const subject = summary.subject.replace(/[\r\n]+/g, " ").trim();
  const paragraphs = summary.text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const shown = paragraphs.slice(0, MAX_SECTIONS);
  const blocks: SlackBlock[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: shortened(subject, HEADER_MAX, (s) => s.length),
        emoji: false,
      },
    },
    ...shown.map(
      (p): SlackBlock => ({
        type: "section",
        text: { type: "mrkdwn", text: escapeMrkdwn(shortened(p, SECTION_MAX, escapedLength)) },
      }),
    ),
  ];
  const left = paragraphs.length - shown.length;
  if (left > 0) {
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `…and ${left} more` }],
    });
  }
  return {
    text: `*${escapeMrkdwn(subject)}*\n${escapeMrkdwn(paragraphs.join("\n\n"))}`,
    blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}

/**
 * What the topic carries for the webhook function (SNS's `lambda` entry): the Slack body
 * ready-made, who may have it, and the key it is delivered once under.
 */
export interface WebhookEnvelope {
  /** The message's delivery key: a redelivered or republished message has the same. */
  key: string;
  /** Recipient ids that may have it; the function posts to the webhooks among them. */
  audience: string[];
  slack: SlackMessage;
}

/** True when `value` has the shape of a {@link WebhookEnvelope}. */
export function isWebhookEnvelope(value: unknown): value is WebhookEnvelope {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<WebhookEnvelope>;
  return (
    typeof v.key === "string" &&
    Array.isArray(v.audience) &&
    v.audience.every((id) => typeof id === "string") &&
    typeof v.slack === "object" &&
    v.slack !== null &&
    typeof v.slack.text === "string"
  );
}
