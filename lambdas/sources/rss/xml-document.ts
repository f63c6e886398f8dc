/**
 * Reading a feed's XML into a tree, safely and in time linear in its length: entity
 * declarations are refused, XML's escaping (its five predefined entities and character
 * references) is decoded exactly once, CDATA sections are text, nesting is limited, and
 * text and elements keep their order (Atom's inline XHTML is mixed content).
 */
import { XMLParser } from "fast-xml-parser";

/** An element: its name as written (with any prefix), attributes and content in order. */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlContent[];
}

/** Character data (entities decoded, CDATA unwrapped) or an element. */
export type XmlContent = XmlElement | string;

/** How deep elements may nest; a feed needs about ten levels, inline XHTML a few more. */
export const MAX_DEPTH = 100;

const PREDEFINED: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/**
 * A predefined entity or a character reference. Each alternative ends at a `;` that none
 * of its own characters can be, so a failed try costs one look at the characters it read
 * and the whole replace is linear.
 */
const REFERENCE = /&(?:#([0-9]+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g;

/** Whether XML 1.0 allows the character (§2.2: no NUL, no other C0 control, no surrogates). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Text with XML's escaping decoded once; a reference to a character XML forbids is a space. */
function decodeReferences(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(REFERENCE, (whole, decimal?: string, hex?: string, name?: string) => {
    if (name !== undefined) return PREDEFINED[name] ?? whole;
    const code = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? "", 16);
    return isXmlChar(code) ? String.fromCodePoint(code) : " ";
  });
}

/**
 * The parser's entity decoder, replaced so that exactly XML's own escaping is decoded
 * (the built-in one leaves character references alone unless told to decode HTML's
 * entities too). Declared entities are never expanded, even if a declaration got past
 * the refusal in {@link readXml}.
 */
const xmlEscaping = {
  decode: decodeReferences,
  reset() {},
  setXmlVersion() {},
  addInputEntities() {},
  setExternalEntities() {},
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  // Mixed content ("No <em>signal</em> here") needs the spaces around its elements.
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  entityDecoder: xmlEscaping,
  maxNestedTags: MAX_DEPTH,
});

type OrderedNode = Record<string, unknown>;

/** The parser's ordered output (`[{ name: [...], ":@": {...} }, { "#text": "…" }]`) as a tree. */
function toContent(nodes: unknown): XmlContent[] {
  const content: XmlContent[] = [];
  for (const node of Array.isArray(nodes) ? (nodes as OrderedNode[]) : []) {
    if (typeof node["#text"] === "string") {
      content.push(node["#text"]);
      continue;
    }
    const name = Object.keys(node).find((key) => key !== ":@");
    if (name === undefined) continue;
    const attributes = node[":@"];
    content.push({
      name,
      attributes:
        typeof attributes === "object" && attributes !== null
          ? (attributes as Record<string, string>)
          : {},
      children: toContent(node[name]),
    });
  }
  return content;
}

/** The parser's messages, in words that say what is wrong with the document. */
function readableParseError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (message === "Maximum nested tags exceeded") {
    return new Error(`its elements nest deeper than ${MAX_DEPTH} levels`);
  }
  // Unclosed elements come as a JSON list: `Invalid '["rss","channel"]' found.`
  const unclosed = /^Invalid '\[([^\]]*)\]' found/.exec(message);
  if (!unclosed?.[1]) return new Error(message);
  const names = [...unclosed[1].matchAll(/"([^"]+)"/g)].map((m) => `<${m[1]}>`);
  return new Error(
    `the document ends before ${names.join(", ")} ${names.length > 1 ? "are" : "is"} closed`,
  );
}

/**
 * The top-level content of a well-formed XML document.
 * @throws Error saying why the document is refused: it declares entities, is malformed
 *   or truncated, or nests too deep
 * @example readXml("<rss><channel/></rss>") // [{ name: "rss", attributes: {}, children: [...] }]
 */
export function readXml(xml: string): XmlContent[] {
  if (/<!ENTITY/i.test(xml)) {
    throw new Error(
      "it declares XML entities, which feeds never need and outcry refuses to expand",
    );
  }
  try {
    return toContent(parser.parse(xml, true));
  } catch (error) {
    throw readableParseError(error);
  }
}

/** The child elements of `element` named `name`, in order. */
export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter(
    (child): child is XmlElement => typeof child !== "string" && child.name === name,
  );
}

/** The first child element of `element` named `name`, if any. */
export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return childElements(element, name)[0];
}

/** An attribute's value, or undefined; never one of the object's own properties. */
export function attribute(element: XmlElement, name: string): string | undefined {
  return Object.hasOwn(element.attributes, name) ? element.attributes[name] : undefined;
}

/** All character data inside `element` (or "" without one), in document order. */
export function textContent(element: XmlElement | undefined): string {
  if (!element) return "";
  const parts: string[] = [];
  const collect = (content: readonly XmlContent[]) => {
    for (const child of content) {
      if (typeof child === "string") parts.push(child);
      else collect(child.children);
    }
  };
  collect(element.children);
  return parts.join("");
}
