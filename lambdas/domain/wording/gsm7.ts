/**
 * The GSM 03.38 default alphabet (3GPP TS 23.038), which decides what an SMS costs: a
 * message of GSM-7 characters fits 160 septets in one part, but a single character outside
 * it sends the whole message as UCS-2, where one part holds only 70 characters. So the SMS
 * text is converted to GSM-7 and measured in septets, not in string length.
 */

/** The basic character set: one septet each (escape 0x1B is not a character). */
const BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/** The extension table: escape plus the character, two septets each. */
const EXTENSION = "\f^{}\\[~]|€";

const BASIC_SET = new Set(BASIC);
const EXTENSION_SET = new Set(EXTENSION);

/**
 * Characters outside GSM-7 that have a plain equivalent. Curly quotes, dashes and odd
 * spaces arrive in service names and pasted text; sending them would halve the SMS size.
 */
const EQUIVALENTS: Readonly<Record<string, string>> = {
  "\u2018": "'", // ‘
  "\u2019": "'", // ’
  "\u201A": "'", // ‚
  "\u201B": "'", // ‛
  "\u2032": "'", // ′
  "`": "'",
  "´": "'",
  "\u201C": '"', // “
  "\u201D": '"', // ”
  "\u201E": '"', // „
  "\u201F": '"', // ‟
  "\u2033": '"', // ″
  "«": '"',
  "»": '"',
  "\u2010": "-", // hyphen
  "\u2011": "-", // non-breaking hyphen
  "\u2012": "-", // figure dash
  "\u2013": "-", // en dash
  "\u2014": "-", // em dash
  "\u2015": "-", // horizontal bar
  "\u2212": "-", // minus sign
  "\u2026": "...", // ellipsis
  "\u2022": "*", // bullet
  "\u00B7": "*", // middle dot
  "\t": " ",
  "\u00A0": " ", // no-break space
  "\u202F": " ", // narrow no-break space
  "\u2007": " ", // figure space
  "\u2009": " ", // thin space
  "\u3000": " ", // ideographic space
  "\u200B": "", // zero-width space
  "\u200C": "", // zero-width non-joiner
  "\u200D": "", // zero-width joiner
  "\u2060": "", // word joiner
  "\uFEFF": "", // byte-order mark
  "©": "(c)",
  "®": "(R)",
  "™": "TM",
  "×": "x",
  "÷": "/",
  "¢": "c",
  "°": "o",
  ç: "Ç", // GSM has only the capital; phones commonly render it for both
  ð: "d",
  Ð: "D",
  þ: "th",
  Þ: "Th",
  ł: "l",
  Ł: "L",
  đ: "d",
  Đ: "D",
  œ: "oe",
  Œ: "OE",
};

/** Used by {@link toGsm7} for a character that has no GSM-7 form. */
const UNKNOWN = "?";

/**
 * Septets needed for one character, or Infinity when it is outside GSM-7.
 *
 * @example charSeptets("€") // 2
 */
export function charSeptets(char: string): number {
  if (BASIC_SET.has(char)) return 1;
  if (EXTENSION_SET.has(char)) return 2;
  return Number.POSITIVE_INFINITY;
}

/**
 * Length of `text` in GSM-7 septets: 1 per basic character, 2 per extension character
 * (^{}\[~]|€ and form feed). Infinity when any character is outside GSM-7, because such a
 * message goes as UCS-2 and no septet count applies.
 *
 * @example gsm7Length("AT&T") // 4
 * @example gsm7Length("[ok]") // 6
 * @example gsm7Length("“ok”") // Infinity
 */
export function gsm7Length(text: string): number {
  let septets = 0;
  // for...of walks code points, so an emoji is one (non-GSM) character, not two halves.
  for (const char of text) septets += charSeptets(char);
  return septets;
}

/**
 * True when every character of `text` is in the GSM-7 basic set or extension table.
 *
 * @example isGsm7("Verizon & AT&T") // true
 * @example isGsm7("T‑Mobile") // false (non-breaking hyphen)
 */
export function isGsm7(text: string): boolean {
  return Number.isFinite(gsm7Length(text));
}

/** The GSM-7 form of one character, or undefined when it has none. */
function equivalentOf(char: string): string | undefined {
  if (BASIC_SET.has(char) || EXTENSION_SET.has(char)) return char;
  const mapped = EQUIVALENTS[char];
  if (mapped !== undefined) return mapped;
  // Accented letters GSM lacks (á, ê, č, ş...) keep their base letter: "Telefonica" reads
  // better than "Telef?nica".
  const base = char.normalize("NFD").replace(/\p{M}/gu, "");
  if (base !== "" && base !== char && isGsm7(base)) return base;
  return undefined;
}

/**
 * Rewrites `text` in GSM-7: curly quotes become straight, dashes "-", the ellipsis "...",
 * odd spaces a space, accented letters GSM lacks their base letter, and anything else
 * without an equivalent (e.g. CJK, emoji) "?", as SMS gateways do.
 *
 * @example toGsm7("“Down” – again…") // "\"Down\" - again..."
 * @example toGsm7("Telefónica") // "Telefonica"
 */
export function toGsm7(text: string): string {
  let out = "";
  for (const char of text) out += equivalentOf(char) ?? UNKNOWN;
  return out;
}

/**
 * True when {@link toGsm7} can write `text` without resorting to "?", i.e. the result still
 * says what the original said.
 *
 * @example canWriteInGsm7("Telefónica") // true
 * @example canWriteInGsm7("中国移动") // false
 */
export function canWriteInGsm7(text: string): boolean {
  for (const char of text) if (equivalentOf(char) === undefined) return false;
  return true;
}
