/**
 * Client input quoted back in an error message. Errors name what was wrong, but an
 * answer that repeats whatever a client sent, whole, lets anyone make the API say
 * anything at any length (and fills logs). So it is quoted, as JSON, and cut.
 */

/** Longest stretch of client input an answer repeats. */
export const ECHO_LIMIT = 64;

/**
 * `text` quoted as a JSON string, cut to {@link ECHO_LIMIT} characters (marked by "…").
 * @example echoed("t-mobile") // '"t-mobile"'
 */
export function echoed(text: string): string {
  // Two UTF-16 units hold any character: reading twice the limit reads enough of it.
  const characters = Array.from(text.slice(0, 2 * ECHO_LIMIT + 2));
  const cut = characters.length > ECHO_LIMIT;
  return JSON.stringify(cut ? `${characters.slice(0, ECHO_LIMIT).join("")}…` : text);
}
