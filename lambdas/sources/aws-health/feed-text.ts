/**
 * The text of the AWS Health Dashboard's feed, decoded by its byte-order mark: the
 * dashboard serves `application/json;charset=utf-16` with a mark (FE FF big-endian,
 * FF FE little-endian), which the charset label alone cannot tell apart.
 */
import { feedPayloadError } from "../status-text";

const HINT =
  "check that the source's url is the AWS Health Dashboard (e.g. 'https://health.aws.amazon.com'); the feed is UTF-16 with a byte-order mark or UTF-8";

function decodeStrict(
  encoding: "utf-16le" | "utf-8",
  bytes: Uint8Array,
  url: string,
  what: string,
) {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw feedPayloadError(url, `is not valid ${what}`, HINT);
  }
}

/** UTF-16 text after its mark; big-endian bytes are swapped pairwise into little-endian. */
function decodeUtf16(bytes: Uint8Array, bigEndian: boolean, url: string): string {
  const what = bigEndian ? "UTF-16BE" : "UTF-16LE";
  if (bytes.length % 2 !== 0) {
    throw feedPayloadError(
      url,
      `starts with a ${what} byte-order mark but has an odd number of bytes (${bytes.length + 2}), so it was cut or is not UTF-16`,
      HINT,
    );
  }
  if (!bigEndian) return decodeStrict("utf-16le", bytes, url, what);
  // Swapping keeps to the little-endian decoder every Node build has.
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 2) {
    swapped[i] = bytes[i + 1] as number;
    swapped[i + 1] = bytes[i] as number;
  }
  return decodeStrict("utf-16le", swapped, url, what);
}

/**
 * The feed's text: FE FF → UTF-16BE, FF FE → UTF-16LE, EF BB BF or no mark → UTF-8.
 * @throws SourceHttpError (`invalid-payload`) for UTF-16 without a mark (NUL bytes where
 * JSON text has none), an odd byte count after a UTF-16 mark, or bytes invalid in the
 * encoding the mark names
 * @example awsFeedText(new Uint8Array([0xfe, 0xff, 0, 0x5b, 0, 0x5d]), url) // "[]"
 */
export function awsFeedText(bytes: Uint8Array, url: string): string {
  const [b0, b1, b2] = bytes;
  if (b0 === 0xfe && b1 === 0xff) return decodeUtf16(bytes.subarray(2), true, url);
  if (b0 === 0xff && b1 === 0xfe) return decodeUtf16(bytes.subarray(2), false, url);
  const body = b0 === 0xef && b1 === 0xbb && b2 === 0xbf ? bytes.subarray(3) : bytes;
  // JSON in UTF-8 has no NUL byte; UTF-16 of ASCII text has one in every pair.
  if (body.subarray(0, 64).includes(0)) {
    throw feedPayloadError(
      url,
      "looks like UTF-16 without a byte-order mark (NUL bytes in its first characters), so its byte order cannot be told",
      HINT,
    );
  }
  return decodeStrict("utf-8", body, url, "UTF-8");
}
