/**
 * The one way outcry sends a request to another server, sources and webhooks alike, on
 * `node:http`/`node:https` rather than `fetch`, because only there can the address be
 * checked at the moment of connecting: a `lookup` hook judges every address a name
 * resolves to against the {@link OutboundPolicy} and hands the socket only those it
 * allows, so a name that resolves to a public address when checked and to a private one
 * when used (DNS rebinding) still cannot reach the private one. An address written in the
 * URL is never looked up, so it is judged before the request is made.
 *
 * Redirects are followed here, each hop through the same checks: for sources only within
 * the URL's own origin (scheme, host and port) and at most {@link MAX_REDIRECTS} times, for
 * webhooks never. A redirect to another origin could lead anywhere the server chose; one
 * within the origin reaches the server the configuration named.
 *
 * The caller words its errors: a {@link RequestRefused} names the host and the address at
 * most, never the path, because a webhook's path is a secret.
 *
 * @example
 * const response = await outboundRequest(url, {
 *   method: "GET", headers, signal, policy, redirects: "same-origin",
 * });
 * const bytes = await response.read(2 * 1024 * 1024);
 */
import { type LookupAddress, lookup } from "node:dns";
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { OutcryError } from "../domain/outcry-error";
import { type OutboundPolicy, refusalOf } from "./outbound-policy";
import { ACCEPT_ENCODING, readBody } from "./response-body";

/** The most redirects a source's request follows. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** What to send, and where it may go. */
export interface OutboundRequestOptions {
  method: "GET" | "POST";
  /** Sent as given (lower-case names); `accept-encoding` is added. */
  headers: Record<string, string>;
  body?: string;
  /** The addresses the request may reach. */
  policy: OutboundPolicy;
  /** `same-origin`: follow up to {@link MAX_REDIRECTS} within the URL's origin; `none`: refuse any. */
  redirects: "same-origin" | "none";
  /** Aborts the request, wherever it is: connecting, waiting, or reading the body. */
  signal: AbortSignal;
}

/** An answer whose headers have arrived; the body is read (or dropped) by the caller. */
export interface OutboundResponse {
  status: number;
  statusText: string;
  headers: Headers;
  /** The URL that answered, after redirects. */
  url: string;
  /**
   * The body, decoded from its `Content-Encoding`, failing past `maxBytes` on the wire or
   * decoded (see response-body.ts).
   */
  read(maxBytes: number): Promise<Uint8Array>;
  /** Drops the body unread (the connection too, unless the body was already complete). */
  discard(): void;
}

/**
 * A request outcry refused to make: to an address the policy refuses (`address`), or
 * after a redirect it does not follow (`redirect`, with the redirect's `status` and
 * `location`). Not worth retrying: the same request gets the same answer.
 */
export class RequestRefused extends OutcryError {
  constructor(
    message: string,
    readonly details: { reason: "address" | "redirect"; status?: number; location?: string },
  ) {
    super(message);
    this.name = "RequestRefused";
  }
}

/**
 * Resolves a name as `dns.lookup` does, keeping only the addresses the policy allows on
 * this port: the socket can connect to nothing else.
 */
function checkedLookup(port: number, policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, "", 0);
        return;
      }
      const allowed = addresses.filter((a) => refusalOf(a.address, port, policy) === null);
      const [first] = allowed;
      if (!first) {
        const why = addresses.map((a) => refusalOf(a.address, port, policy)).join("; ");
        callback(
          new RequestRefused(`${hostname} resolves to no address outcry may call: ${why}`, {
            reason: "address",
          }),
          "",
          0,
        );
        return;
      }
      if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

// Connections are kept alive and reused, one pool per policy, so that a connection made
// under an open policy is never handed to a request under a closed one.
const agents = new Map<string, { http: HttpAgent; https: HttpsAgent }>();
function agentsFor(policy: OutboundPolicy) {
  const key = JSON.stringify([policy.allowPrivateNetworks, policy.neverCall]);
  let pair = agents.get(key);
  if (!pair) {
    pair = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
    agents.set(key, pair);
  }
  return pair;
}

/** The `Headers` of a response, in the order the server sent them. */
function headersOf(response: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = response.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // A header fetch would not accept either (a malformed name or value) is left out.
    }
  }
  return headers;
}

/** One request to `url`, no redirect followed; resolves when the headers have arrived. */
function send(url: URL, options: OutboundRequestOptions): Promise<IncomingMessage> {
  const secure = url.protocol === "https:";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port) || (secure ? 443 : 80);
  const refusal = refusalOf(host, port, options.policy);
  if (refusal) {
    return Promise.reject(new RequestRefused(refusal, { reason: "address" }));
  }
  const pool = agentsFor(options.policy);
  const request = (secure ? httpsRequest : httpRequest)({
    protocol: url.protocol,
    hostname: host,
    port,
    path: `${url.pathname}${url.search}`,
    method: options.method,
    headers: {
      ...options.headers,
      "accept-encoding": ACCEPT_ENCODING,
      ...(options.body === undefined
        ? {}
        : { "content-length": String(Buffer.byteLength(options.body)) }),
    },
    agent: secure ? pool.https : pool.http,
    // An IP address in the URL is not looked up; it was judged above.
    ...(isIP(host) ? {} : { lookup: checkedLookup(port, options.policy) }),
    signal: options.signal,
  });
  return new Promise((resolve, reject) => {
    request.once("response", resolve);
    request.once("error", reject);
    request.end(options.body);
  });
}

/**
 * Sends the request, following redirects as `options.redirects` allows.
 * @throws {RequestRefused} for an address the policy refuses or a redirect not followed;
 *   the network's own error (ECONNREFUSED, ENOTFOUND, an abort) otherwise
 */
export async function outboundRequest(
  url: string,
  options: OutboundRequestOptions,
): Promise<OutboundResponse> {
  const first = new URL(url);
  let current = first;
  for (let redirects = 0; ; redirects++) {
    if (current.protocol !== "http:" && current.protocol !== "https:") {
      throw new RequestRefused(`${current.protocol} is not HTTP or HTTPS`, { reason: "address" });
    }
    const response = await send(current, options);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(status) || location === undefined) {
      const stopReading = () => response.destroy();
      // The body goes on arriving after the headers: an abort then must stop it too.
      options.signal.addEventListener("abort", stopReading, { once: true });
      response.once("close", () => options.signal.removeEventListener("abort", stopReading));
      return {
        status,
        statusText: response.statusMessage ?? "",
        headers: headersOf(response),
        url: current.href,
        read: (maxBytes) => readBody(response, maxBytes),
        discard: stopReading,
      };
    }
    response.destroy();
    const refused = (why: string) =>
      new RequestRefused(why, { reason: "redirect", status, location });
    if (options.redirects === "none") throw refused(`answered ${status}, a redirect`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw refused(`answered ${status}, a redirect to an invalid address`);
    }
    if (next.origin !== first.origin) {
      throw refused(`answered ${status}, a redirect to another origin`);
    }
    if (redirects >= MAX_REDIRECTS) {
      throw refused(`answered ${status}, a redirect past the ${MAX_REDIRECTS} outcry follows`);
    }
    current = next;
  }
}
