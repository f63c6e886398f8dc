/**
 * The text of RSS and Atom items is decoded once per level of escaping its format has:
 * XML's escaping by the XML parser (CDATA sections included), then HTML's where the
 * content is HTML (RSS, Atom `type="html"`), and nothing more where it is text or XHTML.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldWhitespace } from "../../lambdas/sources/html-text";
import { parseFeed } from "../../lambdas/sources/rss/payload";
import { atomWith, cdata, escapeXml, rssWith } from "../support/hostile-payloads";

const URL = "https://example.com/feed";

/** The text of the one item of `xml`. */
function itemText(xml: string): string | undefined {
  return parseFeed(xml, URL)[0]?.text;
}

/** Text escaped for HTML: the level of escaping HTML adds, under XML's. */
function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

describe("the text of an Atom entry", () => {
  it.each([
    [
      "a plain-text title keeps an escaped entity as text",
      "<title>AT&amp;amp;T &amp;lt;</title>",
      "AT&amp;T &lt;",
    ],
    [
      "a plain-text title keeps markup as text",
      "<title>I &lt;3 &lt;b&gt;T-Mobile&lt;/b&gt;</title>",
      "I <3 <b>T-Mobile</b>",
    ],
    [
      "a character reference in plain text is decoded once",
      "<title>&#38;lt; &#x26;amp;</title>",
      "&lt; &amp;",
    ],
    ["CDATA in plain text is text", "<title><![CDATA[a <b> &amp; c]]></title>", "a <b> &amp; c"],
    [
      "a CDATA split across sections is joined",
      "<title><![CDATA[x]]]]><![CDATA[>y]]></title>",
      "x]]>y",
    ],
    [
      "escaped HTML has its tags and entities read",
      '<title type="html">No &lt;b&gt;signal&lt;/b&gt; &amp;amp; data</title>',
      "No signal & data",
    ],
    [
      "escaped HTML decodes its own escaping once",
      '<summary type="html">&amp;amp;lt;b&amp;amp;gt;</summary>',
      "&lt;b&gt;",
    ],
    [
      "HTML in CDATA is read as HTML",
      '<content type="html"><![CDATA[<p>Calls &amp; texts</p><p>failing</p>]]></content>',
      "Calls & texts failing",
    ],
    [
      "an escaped CDATA marker in HTML is not text",
      '<content type="html">&lt;![CDATA[hidden]]&gt;shown</content>',
      "shown",
    ],
    [
      "XHTML is markup whose text is taken as it is",
      '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>No <em>signal</em> &amp;lt; here</p><p>Denver</p></div></content>',
      "No signal &lt; here Denver",
    ],
    [
      "CDATA inside XHTML is text",
      '<content type="xhtml"><div><![CDATA[a <b> c]]><script>x()</script></div></content>',
      "a <b> c",
    ],
    [
      "a reference to a character XML forbids is a space",
      "<title>a&#0;b&#xD800;c</title>",
      "a b c",
    ],
  ])("%s", (_, entry, text) => {
    // Act
    const read = itemText(atomWith(entry));

    // Assess
    expect(read).toBe(text);
  });
});

describe("the text of an RSS item", () => {
  it.each([
    [
      "an escaped description is HTML",
      "<description>&lt;p&gt;Calls &amp;amp; texts&lt;/p&gt;</description>",
      "Calls & texts",
    ],
    ["HTML's own escaping is decoded once", "<description>&amp;amp;lt;</description>", "&lt;"],
    [
      "a character reference is XML's, not HTML's",
      "<description>&#38;lt;b&#38;gt;</description>",
      "<b>",
    ],
    ["CDATA is HTML source", "<description><![CDATA[a &amp;lt; b]]></description>", "a &lt; b"],
    [
      "unescaped markup in a description is read as HTML",
      "<description><p>No <b>signal</b></p><p>here</p></description>",
      "No signal here",
    ],
    [
      "content:encoded is HTML too",
      "<content:encoded><![CDATA[<p>outage</p>]]></content:encoded>",
      "outage",
    ],
  ])("%s", (_, inner, text) => {
    // Act
    const read = itemText(rssWith(inner));

    // Assess
    expect(read).toBe(`Outage ${text}`);
  });
});

/** `text` without the characters XML cannot carry in any form (most C0 controls, U+FFFE/F). */
function carriableInXml(text: string): string {
  return [...text]
    .filter((char) => {
      const code = char.codePointAt(0) ?? 0;
      if (code < 0x20) return code === 0x9 || code === 0xa || code === 0xd;
      return code !== 0xfffe && code !== 0xffff;
    })
    .join("");
}

/** Text that looks like markup and escaping, mixed with any other text XML can carry. */
const text = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "&",
        "&amp;",
        "&amp;lt;",
        "&lt;",
        "&#60;",
        "&#x26;",
        "<",
        ">",
        "<b>",
        "</p>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        ";",
        '"',
        "'",
        " ",
        "\n",
        "\t",
        "é",
        "e\u0301",
        "📵",
      ),
      fc.string({ unit: "grapheme", maxLength: 4 }).map(carriableInXml),
    ),
    { maxLength: 20 },
  )
  .map((parts) => parts.join(""));

describe("any text, however it is escaped, reads back as itself", () => {
  const wrappings: [string, (t: string) => string, (t: string) => string][] = [
    ["Atom type=text, escaped", (t) => atomWith(`<title>${escapeXml(t)}</title>`), (t) => t],
    ["Atom type=text, CDATA", (t) => atomWith(`<title>${cdata(t)}</title>`), (t) => t],
    [
      "Atom type=html, escaped",
      (t) => atomWith(`<title type="html">${escapeXml(escapeHtml(t))}</title>`),
      (t) => t,
    ],
    [
      "Atom type=html, CDATA",
      (t) => atomWith(`<content type="html">${cdata(escapeHtml(t))}</content>`),
      (t) => t,
    ],
    [
      "Atom type=xhtml",
      (t) =>
        atomWith(
          `<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${escapeXml(t)}</div></content>`,
        ),
      (t) => t,
    ],
    [
      "RSS description, escaped",
      (t) => rssWith(`<description>${escapeXml(escapeHtml(t))}</description>`),
      (t) => `Outage ${t}`,
    ],
    [
      "RSS description, CDATA",
      (t) => rssWith(`<description>${cdata(escapeHtml(t))}</description>`),
      (t) => `Outage ${t}`,
    ],
  ];

  it.each(wrappings)("in %s", (_, wrap, expected) => {
    fc.assert(
      fc.property(text, (t) => {
        // Act
        const read = itemText(wrap(t));

        // Assess
        expect(read).toBe(foldWhitespace(expected(t)));
      }),
    );
  });
});
