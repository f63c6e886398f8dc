/**
 * The one way this page builds DOM: elements and text nodes, never HTML strings. Service
 * names, summaries and source texts come from configuration and from third parties, so
 * they are only ever set as text (`textContent`) or as attribute values; nothing here
 * parses markup, so nothing in the data can become markup.
 */

/** A child of {@link h}: a node, some text, or nothing (skipped). */
export type Child = Node | string | number | null | undefined | false;

/** Attributes of {@link h}; `false`/`null`/`undefined` leave an attribute out. */
export type Attributes = Record<string, string | number | boolean | null | undefined>;

/**
 * Creates an element with attributes and children. Strings become text nodes.
 * `style` is refused: the page's Content-Security-Policy blocks inline style attributes
 * (set `element.style.x` instead, which CSP allows).
 * @example h("a", { href: "#/service/t-mobile" }, service.name)
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  return built(document.createElement(tag), attributes, children);
}

const SVG_NAMESPACE = "http://www.w3.org/2000/svg";

/**
 * Creates an SVG element (the map's shapes) as {@link h} creates HTML ones.
 * @example svg("path", { d: "M0,0L10,10", class: "region" }, svg("title", {}, "Texas"))
 */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  return built(document.createElementNS(SVG_NAMESPACE, tag), attributes, children);
}

function built<E extends Element>(element: E, attributes: Attributes, children: Child[]): E {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "style") throw new Error("inline styles are blocked by the page's CSP");
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children (text as text nodes) to `parent`. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/**
 * Sets an element's text only when it changed, so a refresh does not disturb a screen
 * reader's position or a text selection in parts that stayed the same.
 */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Sets an attribute only when it changed (see {@link setText}). */
export function setAttr(element: Element, name: string, value: string): void {
  if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}
