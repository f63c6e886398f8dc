/**
 * The webhook body: Slack's incoming-webhook JSON with the same summary as the email, and
 * nothing a service name can turn into a link or a mention.
 */
import { describe, expect, it } from "vitest";
import { summarizeIncident } from "../../../lambdas/domain/wording/incident-summary";
import { escapeMrkdwn, slackMessage } from "../../../lambdas/domain/wording/slack-message";
import { at, seedIncident } from "./seed-incident";

const incident = seedIncident({ correlatedWith: ["att"] });

function summaryFor(name: string, correlated = "AT&T") {
  return summarizeIncident(incident, {
    service: { id: "t-mobile", name, timeZone: "America/New_York" },
    correlated: [{ name: correlated, peak: { count: 1287, at: at("2023-02-14T03:30:00Z") } }],
  });
}

describe("slackMessage", () => {
  it("carries the email's subject and timeline as text, a header and sections, no unfurling", () => {
    // Prepare
    const summary = summaryFor("T-Mobile");

    // Act
    const body = slackMessage(summary);

    // Assess
    expect(body.text).toBe(`*${summary.subject}*\n${summary.text.replace("AT&T", "AT&amp;T")}`);
    expect(body.text).toContain("peaked at more than 83,000 at around 10:20 p.m. ET (03:20 GMT)");
    expect(body.blocks).toEqual([
      {
        type: "header",
        text: {
          type: "plain_text",
          text: "Resolved: T-Mobile outage (peak more than 83,000)",
          emoji: false,
        },
      },
      { type: "section", text: { type: "mrkdwn", text: escapeMrkdwn(summary.text) } },
    ]);
    expect(body).toMatchObject({ unfurl_links: false, unfurl_media: false });
  });

  it("escapes &, < and > so a service name cannot mention anyone or write a link", () => {
    // Prepare: a name and a correlated service made of Slack control sequences
    const summary = summaryFor(
      "<!channel> <@U024BE7LH> <http://evil.example|Click>",
      "A&B <!here>",
    );

    // Act
    const body = slackMessage(summary);
    const mrkdwn = [
      body.text,
      ...body.blocks.flatMap((b) => (b.type === "section" ? [b.text.text] : [])),
    ];

    // Assess: no raw angle bracket survives in any mrkdwn text, every & is an entity
    for (const text of mrkdwn) {
      expect(text).not.toMatch(/[<>]/);
      expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    expect(body.text).toContain(
      "&lt;!channel&gt; &lt;@U024BE7LH&gt; &lt;http://evil.example|Click&gt;",
    );
    expect(body.text).toContain("A&amp;B &lt;!here&gt;");
    // The header is plain text, which Slack shows as written and never parses.
    expect(body.blocks[0]).toMatchObject({ type: "header", text: { type: "plain_text" } });
  });

  it("escapes every occurrence, ampersands first", () => {
    expect(escapeMrkdwn("a&b<c>d&&<<")).toBe("a&amp;b&lt;c&gt;d&amp;&amp;&lt;&lt;");
    expect(escapeMrkdwn("&lt;")).toBe("&amp;lt;");
  });

  it("gives each incident of a group its section and keeps within Slack's sizes", () => {
    // Prepare: a group of three, one with a timeline far longer than a section holds
    const long = "Reports of X problems & more. ".repeat(200);
    const summary = {
      subject: `T-Mobile outage; Verizon and AT&T also elevated ${"x".repeat(200)}`,
      text: ["first paragraph", long, "third <one>"].join("\n\n"),
      sms: "sms",
    };

    // Act
    const body = slackMessage(summary);

    // Assess
    expect(body.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section"]);
    const [header, , second, third] = body.blocks;
    expect(header?.type === "header" && header.text.text.length).toBeLessThanOrEqual(150);
    expect(header?.type === "header" && header.text.text.endsWith("…")).toBe(true);
    if (second?.type !== "section" || third?.type !== "section") throw new Error("sections");
    expect(second.text.text.length).toBeLessThanOrEqual(3000);
    expect(second.text.text.endsWith("…")).toBe(true);
    expect(second.text.text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    expect(third.text.text).toBe("third &lt;one&gt;");
  });
});
