/**
 * A status badge as SVG in shields.io's "flat" style: a grey label box, a coloured
 * message box, white Verdana 11px text with a faint shadow. The boxes are as wide as
 * their text (measured with Verdana's advance widths, as shields does), and the badge
 * says what it shows to screen readers (`role="img"`, `aria-label`, `<title>`).
 */
import { xmlText } from "../domain/xml-text";
import type { StatusBadge } from "./status-badge";

/** SVG's media type. */
export const SVG_TYPE = "image/svg+xml; charset=utf-8";

/** Badge height, and padding each side of a text (shields' flat style). */
const HEIGHT = 20;
const PADDING = 6;

// Verdana 11px advance widths in pixels, rounded to a tenth: a-z, A-Z, then digits.
const LOWER = [
  6.6, 6.9, 5.7, 6.9, 6.6, 3.9, 6.9, 7.0, 3.0, 3.8, 6.5, 3.0, 10.7, 7.0, 6.7, 6.9, 6.9, 4.7, 5.7,
  4.3, 7.0, 6.5, 9.0, 6.5, 6.5, 5.8,
];
const UPPER = [
  7.5, 7.5, 7.7, 8.5, 7.0, 6.3, 8.5, 8.3, 4.6, 5.0, 7.6, 6.1, 9.3, 8.2, 8.7, 6.6, 8.7, 7.7, 7.5,
  6.8, 8.1, 7.5, 10.9, 7.5, 6.8, 7.5,
];
const DIGIT = 7.0;
const OTHER: Record<string, number> = { " ": 3.9, "&": 8.4, "-": 4.9, ".": 3.9, "'": 3.0 };
/** Anything else: about an average capital (wide enough for most scripts' letters). */
const FALLBACK = 7.5;

/** The width `text` takes in Verdana 11px, in pixels. */
export function textWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    const code = character.charCodeAt(0);
    if (code >= 97 && code <= 122) width += LOWER[code - 97] ?? FALLBACK;
    else if (code >= 65 && code <= 90) width += UPPER[code - 65] ?? FALLBACK;
    else if (code >= 48 && code <= 57) width += DIGIT;
    else width += OTHER[character] ?? FALLBACK;
  }
  return width;
}

/** The two boxes' widths, whole pixels. */
export function badgeWidths(badge: StatusBadge): { label: number; message: number } {
  return {
    label: Math.round(textWidth(badge.label) + 2 * PADDING),
    message: Math.round(textWidth(badge.message) + 2 * PADDING),
  };
}

/** A text with shields' shadow under it, centred at `x`. */
function shadowed(text: string, x: number): string {
  const escaped = xmlText(text);
  return `<text x="${x}" y="15" fill="#010101" fill-opacity=".3">${escaped}</text><text x="${x}" y="14">${escaped}</text>`;
}

/**
 * The badge as an SVG document.
 * @example badgeSvg(statusBadge("AT&T", "outage")) // '<svg xmlns="http://www.w3.org/2000/svg" width="…'
 */
export function badgeSvg(badge: StatusBadge): string {
  const widths = badgeWidths(badge);
  const total = widths.label + widths.message;
  const said = xmlText(`${badge.label}: ${badge.message}`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${HEIGHT}" role="img" aria-label="${said}">`,
    `<title>${said}</title>`,
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>',
    `<clipPath id="r"><rect width="${total}" height="${HEIGHT}" rx="3" fill="#fff"/></clipPath>`,
    `<g clip-path="url(#r)"><rect width="${widths.label}" height="${HEIGHT}" fill="#555"/><rect x="${widths.label}" width="${widths.message}" height="${HEIGHT}" fill="${badge.colorHex}"/><rect width="${total}" height="${HEIGHT}" fill="url(#s)"/></g>`,
    '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">',
    shadowed(badge.label, widths.label / 2),
    shadowed(badge.message, widths.label + widths.message / 2),
    "</g>",
    "</svg>",
    "",
  ].join("\n");
}
