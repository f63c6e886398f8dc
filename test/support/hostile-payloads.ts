/**
 * Hostile third-party payloads, by shape, for the tests that show the parsers run in
 * linear time: HTML that a feed item or a post may carry. Each shape makes an input of
 * about `size` characters.
 */

/** A hostile input of one shape. */
export interface HostileShape {
  name: string;
  make: (size: number) => string;
}

/** `unit` repeated to about `size` characters (at least once). */
export function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.max(1, Math.floor(size / unit.length)));
}

/** HTML bodies that made the regex-based reading quadratic, and their neighbours. */
export const HTML_SHAPES: readonly HostileShape[] = [
  { name: "'<' flood", make: (size) => repeatTo("<", size) },
  { name: "'<a' flood", make: (size) => repeatTo("<a", size) },
  { name: "unclosed <div><b>", make: (size) => repeatTo("<div><b>", size) },
  { name: "unclosed comments", make: (size) => repeatTo("<!--", size) },
  { name: "unclosed CDATA", make: (size) => repeatTo("<![CDATA[", size) },
  { name: "closing-tag flood '</'", make: (size) => repeatTo("</", size) },
  { name: "attribute flood, unclosed", make: (size) => `<b ${repeatTo('a="1" ', size)}` },
  { name: "open quote", make: (size) => `<a href="${repeatTo("x", size)}` },
  { name: "entity run &amp;", make: (size) => repeatTo("&amp;", size) },
  { name: "bare '&' run", make: (size) => repeatTo("&", size) },
  { name: "long numeric reference", make: (size) => `&#${repeatTo("9", size)};` },
  { name: "unclosed <script>", make: (size) => `<script>${repeatTo("<b>", size)}` },
  { name: "deep nesting, closed", make: (size) => nested("div", size) },
  {
    name: "words and tags",
    make: (size) => repeatTo("No <b>signal</b> in <a href='x'>Dallas</a><br>", size),
  },
];

/** `<name>` nested around one word, deep enough for about `size` characters, every one closed. */
function nested(name: string, size: number): string {
  const depth = Math.max(1, Math.floor(size / (2 * name.length + 5)));
  return `${`<${name}>`.repeat(depth)}x${`</${name}>`.repeat(depth)}`;
}
