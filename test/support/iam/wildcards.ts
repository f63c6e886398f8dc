/**
 * IAM's two wildcard matchers: glob patterns (`*` any run of characters, `?` exactly one)
 * for actions and string conditions, and ARN patterns, matched one colon-separated
 * segment at a time, for resources and ARN conditions.
 */

/**
 * True when `value` matches the glob `pattern` as IAM matches it: the whole value,
 * `*` any run (also empty), `?` one character, everything else literal.
 *
 * @example globMatches("dynamodb:Get*", "dynamodb:GetItem"); // true
 * @example globMatches("Dynamodb:getitem", "dynamodb:GetItem", { ignoreCase: true }); // true
 */
export function globMatches(
  pattern: string,
  value: string,
  options: { ignoreCase?: boolean } = {},
): boolean {
  const source = [...pattern]
    .map((char) => (char === "*" ? ".*" : char === "?" ? "." : escapeRegExp(char)))
    .join("");
  return new RegExp(`^${source}$`, options.ignoreCase ? "is" : "s").test(value);
}

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

/** arn, partition, service, region, account; the rest is the resource part. */
const ARN_HEAD_SEGMENTS = 5;

/** Splits an ARN into its five head segments and the resource part (which may hold colons). */
function arnSegments(arn: string): string[] {
  const parts = arn.split(":");
  return [...parts.slice(0, ARN_HEAD_SEGMENTS), parts.slice(ARN_HEAD_SEGMENTS).join(":")];
}

/**
 * True when `arn` matches the resource pattern `pattern`, case-sensitively: `*` alone
 * matches everything; otherwise each colon-separated segment is matched on its own (a
 * wildcard does not reach into the next segment), except that a `*` ending a segment may
 * run past the colons after it, and the resource part, which may itself hold colons and
 * slashes, is one glob.
 *
 * @example arnMatches("arn:aws:dynamodb:*:*:table/outcry", "arn:aws:dynamodb:us-east-1:000000000000:table/outcry"); // true
 * @example arnMatches("arn:aws:logs:us-east-1:0:log-group:g:*", "arn:aws:logs:us-east-1:0:log-group:g:log-stream:s"); // true
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === "*") return true;
  const wanted = pattern.split(":");
  const actual = arnSegments(arn);
  for (let i = 0; i < wanted.length; i++) {
    const segment = wanted[i] as string;
    const isLast = i === wanted.length - 1;
    if (i >= ARN_HEAD_SEGMENTS) {
      // The resource part: the rest of the pattern against the rest of the ARN.
      return globMatches(wanted.slice(i).join(":"), actual[ARN_HEAD_SEGMENTS] ?? "");
    }
    if (isLast && segment.endsWith("*")) {
      // A trailing `*` may run past the colon boundaries: match against the remainder.
      return globMatches(segment, actual.slice(i).join(":"));
    }
    if (!globMatches(segment, actual[i] ?? "")) return false;
  }
  // Fewer segments than the ARN and no trailing `*`: the ARN has more than the pattern names.
  return wanted.length === ARN_HEAD_SEGMENTS + 1 || actual.slice(wanted.length).join("") === "";
}
