/**
 * `htmlToText`: the text of feed bodies and posts, what it keeps and drops, its
 * invariants on generated and hostile markup, and its time growing linearly with the
 * input whatever the shape.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldWhitespace, htmlToText } from "../../lambdas/sources/html-text";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";
import { HTML_SHAPES } from "../support/hostile-payloads";

describe("htmlToText", () => {
  it.each([
    ["<p>No signal &amp; no data</p>", "No signal & no data"],
    ["no<br>signal<hr/>since<p>10:15</p>", "no signal since 10:15"],
    ["T-<b>Mobile</b> <a href='x'>out</a><span>age</span>", "T-Mobile outage"],
    ["<li>calls</li><li>texts</li>", "calls texts"],
    ["a<!-- hidden <b>x</b> -->b", "a b"],
    ["won&#39;t &#x1F4F5; &eacute;t&eacute; &nbsp;x", "won't 📵 été x"],
    ["a&#0;b&#x110000;c&#xD800;d", "a b c d"],
    ["literal &#xFFFD; stays", "literal \uFFFD stays"],
    ["AT&T &foo; R&D", "AT&T &foo; R&D"],
    ["x<script>if (a<b) alert(1)</script>y<style>p > b {}</style>z", "xyz"],
    ["&lt;b&gt;escaped&lt;/b&gt;", "<b>escaped</b>"],
    ["I <3 T-Mobile, 2 < 3", "I <3 T-Mobile, 2 < 3"],
    ["  many\n\t spaces  ", "many spaces"],
    ["Telefo\u0301nica", "Telefónica"],
  ])("reads %j as %j", (html, text) => {
    // Act
    const read = htmlToText(html);

    // Assess
    expect(read).toBe(text);
  });

  it.each([
    ["an unclosed tag", 'x <b class="y'],
    ["an unclosed comment", "x <!-- y <b>z</b>"],
    ["an unclosed CDATA section", "x <![CDATA[ y <b>z</b>"],
    ["an unclosed script", "x <script> y <b>z</b>"],
    ["an unclosed end tag", "x </div"],
  ])("drops %s at the end, and nothing before it", (_, html) => {
    // Act
    const read = htmlToText(html);

    // Assess
    expect(read).toBe("x");
  });
});

/** Words, as the generated markup's text: no `<`, no `&`, no white space. */
const word = fc.stringMatching(/^[a-zA-Z0-9'.-]{1,8}$/);

/** Attribute values holding what would end a tag if it were not quoted. */
const attributeValue = fc
  .array(fc.constantFrom("<", ">", "&amp;", "'", "=", " ", "/", "x", "<b>", "-->"), {
    maxLength: 6,
  })
  .map((parts) => parts.join(""));

const attributes = fc
  .array(
    fc.tuple(fc.stringMatching(/^[a-z]{1,5}$/), attributeValue).map(([n, v]) => ` ${n}="${v}"`),
    { maxLength: 3 },
  )
  .map((list) => list.join(""));

/** One piece of markup and the text it stands for. */
interface Piece {
  html: string;
  text: string;
}

/** Markup pieces whose text is known: words, spaces, tags, comments, scripts, entities. */
const piece: fc.Arbitrary<Piece> = fc.oneof(
  word.map((w) => ({ html: w, text: w })),
  fc.constantFrom(" ", "\n", "\t  ").map((s) => ({ html: s, text: " " })),
  fc
    .tuple(
      fc.constantFrom("p", "div", "li", "br", "h2", "TD", "blockquote"),
      attributes,
      fc.boolean(),
    )
    .map(([name, attrs, close]) => ({
      html: close ? `</${name}>` : `<${name}${attrs}>`,
      text: " ",
    })),
  fc
    .tuple(fc.constantFrom("b", "i", "a", "span", "EM", "font"), attributes, fc.boolean())
    .map(([name, attrs, close]) => ({
      html: close ? `</${name}>` : `<${name}${attrs}>`,
      text: "",
    })),
  fc.constant({ html: "<br/>", text: " " }),
  attributeValue.map((junk) => ({ html: `<!-- ${junk.replaceAll("-->", "")} -->`, text: " " })),
  attributeValue.map((junk) => ({ html: `<script>${junk}</script>`, text: "" })),
  fc.constantFrom(
    { html: "&amp;", text: "&" },
    { html: "&#65;", text: "A" },
    { html: "&#x1F4F5;", text: "📵" },
    { html: "&eacute;", text: "é" },
    { html: "&#0;", text: " " },
  ),
);

const markup = fc.array(piece, { maxLength: 30 }).map((pieces) => ({
  html: pieces.map((p) => p.html).join(""),
  text: foldWhitespace(pieces.map((p) => p.text).join("")),
}));

/** Fragments hostile markup is made of, in any order. */
const hostile = fc
  .array(
    fc.constantFrom(
      "<",
      ">",
      "</",
      "<!--",
      "-->",
      "<![CDATA[",
      "]]>",
      "&",
      "&#",
      "&#x",
      "&amp;",
      "&lt;",
      ";",
      "<div>",
      "<b ",
      '"',
      "'",
      "=",
      "<script>",
      "</script>",
      "<xmp>",
      "<!DOCTYPE",
      "<?",
      " ",
      "\n",
      "a",
      "9",
      "é",
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));

describe("htmlToText on generated markup", () => {
  it("keeps the words and the word breaks of well-formed markup, and no markup", () => {
    fc.assert(
      fc.property(markup, ({ html, text }) => {
        // Act
        const read = htmlToText(html);

        // Assess
        expect(read).toBe(text);
        expect(read).not.toContain("<");
      }),
    );
  });

  it("gives the same text when read again, when the text has no '&' to decode", () => {
    fc.assert(
      fc.property(markup, ({ html }) => {
        // Act
        const read = htmlToText(html);

        // Assess
        fc.pre(!read.includes("&"));
        expect(htmlToText(read)).toBe(read);
      }),
    );
  });

  it("takes nothing before a construct left unclosed at the end", () => {
    const unclosed = fc.constantFrom(
      '<b title="x',
      "<div",
      "</p",
      "<!-- x <b>y</b>",
      "<![CDATA[ x <b>y</b>",
      "<script>x<b>y</b>",
      "<!DOCTYPE html",
      "<?php x",
    );
    fc.assert(
      fc.property(markup, unclosed, ({ html, text }, tail) => {
        // Act
        const read = htmlToText(`${html} ${tail}`);

        // Assess
        expect(read).toBe(text);
      }),
    );
  });

  it("reads hostile fragments in any order as folded text no longer than the input", () => {
    fc.assert(
      fc.property(hostile, (html) => {
        // Act
        const read = htmlToText(html);

        // Assess
        expect(read.length).toBeLessThanOrEqual(html.length);
        expect(foldWhitespace(read)).toBe(read);
      }),
    );
  });

  it("leaves text without markup or references as it is, but folded", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        fc.pre(!text.includes("<") && !text.includes("&"));

        // Act / Assess
        expect(htmlToText(text)).toBe(foldWhitespace(text));
      }),
    );
  });

  it("decodes every numeric reference once, a reference to no character as a space", () => {
    const codePoint = fc.oneof(
      fc.integer({ min: 0, max: 0x10ffff }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.integer({ min: 0x110000, max: 0xffffffff }),
    );
    fc.assert(
      fc.property(codePoint, fc.boolean(), (code, hex) => {
        // C1 controls are read as windows-1252, as browsers do.
        fc.pre(code < 0x80 || code > 0x9f);
        const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
        const reference = hex ? `&#x${code.toString(16)};` : `&#${code};`;

        // Act
        const read = htmlToText(`a${reference}b`);

        // Assess
        expect(read).toBe(foldWhitespace(`a${valid ? String.fromCodePoint(code) : " "}b`));
      }),
    );
  });
});

describe("htmlToText time", () => {
  it.each(HTML_SHAPES.map((shape) => [shape.name, shape] as const))(
    "grows linearly with the input: %s",
    (_, shape) => {
      // Act
      const ratio = settledGrowthRatio(shape.make, htmlToText, 256_000);

      // Assess
      expect(ratio).toBeLessThan(LINEAR_LIMIT);
    },
  );
});
