/**
 * Which address a request to the local server came from. Without trusted proxies it is
 * the socket's. Behind proxies of yours (`--trust-proxy`), `X-Forwarded-For` is read from
 * the right, past the trusted hops, by proxy-addr: each proxy appends the address it saw,
 * so the entries a client wrote itself are on the left and never reached while a trusted
 * proxy stands in between. The address is taken as it is written; the report routes read
 * it strictly (`lambdas/domain/client-address.ts`) and refuse one that is not an address.
 */
import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

/**
 * Proxies whose `X-Forwarded-For` entries are believed: the nearest `hops` of them
 * (`--trust-proxy 2`), or those at `addresses` (`--trust-proxy loopback,10.0.0.0/8`:
 * addresses, CIDR blocks, or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustedProxies = { hops: number } | { addresses: readonly string[] };

/** The trust function proxy-addr walks the hops with. */
function trustFunction(trusted: TrustedProxies): (address: string, hop: number) => boolean {
  if ("hops" in trusted) return (_address, hop) => hop < trusted.hops;
  return proxyAddr.compile([...trusted.addresses]);
}

/**
 * Reads `--trust-proxy`'s value: a number of hops, or a comma-separated list of
 * addresses, CIDR blocks and named ranges.
 * @throws TypeError naming what is wrong
 * @example parseTrustedProxies("loopback, 10.0.0.0/8") // { addresses: ["loopback", "10.0.0.0/8"] }
 */
export function parseTrustedProxies(text: string): TrustedProxies {
  const value = text.trim();
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > 10) throw new TypeError(`takes 1 to 10 hops; got ${hops}`);
    return { hops };
  }
  const addresses = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (addresses.length === 0) throw new TypeError("takes a number of hops or addresses");
  // proxy-addr throws, naming the entry, on anything it cannot read.
  proxyAddr.compile(addresses);
  return { addresses };
}

/** A function giving each request's client address under `trusted` (null: none). */
export function requestAddressReader(
  trusted: TrustedProxies | null,
): (request: IncomingMessage) => string {
  if (trusted === null) return (request) => request.socket.remoteAddress ?? "";
  const trust = trustFunction(trusted);
  return (request) => proxyAddr(request, trust);
}
