/**
 * How a response body is read: decoded from its `Content-Encoding` (gzip, deflate, br, as
 * `fetch` did) and capped, both the bytes on the wire and the bytes decoded, so neither
 * an endless body nor a small compressed one that inflates to gigabytes (a zip bomb) is
 * held in memory. Reading stops, and the connection is dropped, at the first byte past
 * the cap.
 */
import type { IncomingMessage } from "node:http";
import { pipeline, Transform } from "node:stream";
import {
  constants,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  type ZlibOptions,
} from "node:zlib";
import { OutcryError } from "../domain/outcry-error";

/** The encodings outcry asks for, in `Accept-Encoding`, and decodes. */
export const ACCEPT_ENCODING = "gzip, deflate, br";

/**
 * A body outcry will not read: larger than the cap (`declaredBytes` when the server said
 * so up front), or in an encoding it does not decode (`encoding`).
 */
export class BodyRefused extends OutcryError {
  constructor(
    message: string,
    readonly details: { declaredBytes?: number; encoding?: string },
  ) {
    super(message);
    this.name = "BodyRefused";
  }
}

// Lenient at the end, as fetch is: a stream that stops after whole blocks yields what it
// has. A body cut short still fails, because the HTTP layer sees the connection close.
const LENIENT: ZlibOptions = {
  flush: constants.Z_SYNC_FLUSH,
  finishFlush: constants.Z_SYNC_FLUSH,
};

/** The decoders for a `Content-Encoding` list, in the order they undo it. */
function decodersFor(contentEncoding: string | undefined): Transform[] {
  const codings = (contentEncoding ?? "")
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  return codings.reverse().map((coding) => {
    if (coding === "gzip" || coding === "x-gzip") return createGunzip(LENIENT);
    if (coding === "deflate") return createInflate(LENIENT);
    if (coding === "br") return createBrotliDecompress();
    throw new BodyRefused(
      `the body is in Content-Encoding ${coding}, which outcry does not decode (only ${ACCEPT_ENCODING})`,
      { encoding: coding },
    );
  });
}

/** Passes bytes through until more than `maxBytes` have gone by, then fails. */
function capped(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength;
      if (seen > maxBytes) done(tooLarge(maxBytes));
      else done(null, chunk);
    },
  });
}

function tooLarge(maxBytes: number, declaredBytes?: number): BodyRefused {
  return new BodyRefused(
    declaredBytes === undefined
      ? `a body of more than ${maxBytes} bytes`
      : `a ${declaredBytes}-byte body`,
    declaredBytes === undefined ? {} : { declaredBytes },
  );
}

/**
 * Reads `response`'s body, decoded, failing as soon as the wire bytes or the decoded bytes
 * pass `maxBytes` (at once, unread, when `Content-Length` says so).
 * @throws {BodyRefused} for a body too large or in an unknown encoding; the stream's own
 *   error when the connection drops or the encoding is corrupt
 * @example const bytes = await readBody(response, 2 * 1024 * 1024);
 */
export async function readBody(response: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw tooLarge(maxBytes, declared);
  }
  let decoders: Transform[];
  try {
    decoders = decodersFor(response.headers["content-encoding"]);
  } catch (error) {
    response.destroy();
    throw error;
  }
  const decoded = decoders.length === 0 ? [] : [...decoders, capped(maxBytes)];
  const stages = [response, capped(maxBytes), ...decoded];
  const last = stages[stages.length - 1] as NodeJS.ReadableStream;
  // The callback only keeps an error from going unhandled: the loop below sees it too.
  pipeline(stages, () => {});
  const chunks: Buffer[] = [];
  // Leaving the loop early (an error) destroys the pipeline, and with it the connection.
  for await (const chunk of last) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
