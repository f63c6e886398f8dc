/**
 * Trailing slashes cut off by a loop, not a regular expression: `/\/+$/` backtracks over
 * every run of slashes and takes quadratic time on a text of thousands of them, and
 * request paths and configured URLs are both text someone else may write.
 */

/**
 * `text` without the slashes it ends in.
 * @example withoutTrailingSlashes("https://mastodon.social//") // "https://mastodon.social"
 */
export function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return text.slice(0, end);
}
