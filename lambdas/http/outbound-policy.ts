/**
 * Which addresses an outbound request may reach. A source's URL comes from the
 * configuration and its redirects from a server outcry does not control, so either could
 * point a function at its own network: the instance metadata service (169.254.169.254,
 * fd00:ec2::254), the Lambda runtime API (`AWS_LAMBDA_RUNTIME_API`, on loopback) or a
 * private service, whose answer would then be published as a count. So only public
 * unicast addresses are called, unless the policy opens private networks for a local run
 * or a test; the endpoints in `neverCall` (the runtime API) are refused even then.
 *
 * The ranges are ipaddr.js's (`range()`, the IANA special-purpose registries): anything
 * it does not call `unicast` is refused, IPv4-mapped IPv6 is judged as the IPv4 address
 * it carries, and an IPv6 address must also lie in 2000::/3, the only block IANA hands
 * out for global unicast (which refuses the deprecated IPv4-compatible `::a.b.c.d`).
 */
import ipaddr from "ipaddr.js";

/** Where outbound requests may go; built once, from the environment, by the wiring. */
export interface OutboundPolicy {
  /**
   * Also call loopback, private, link-local and the other non-public ranges: for a local
   * run against servers on this machine, and for tests. Never set in AWS.
   */
  readonly allowPrivateNetworks: boolean;
  /**
   * `host:port` endpoints refused even when private networks are allowed: the Lambda
   * runtime API. Matched against the address connected to, and against the URL's host
   * when the endpoint is given by name.
   */
  readonly neverCall: readonly string[];
}

/** Public unicast addresses only. */
export const PUBLIC_ONLY: OutboundPolicy = { allowPrivateNetworks: false, neverCall: [] };

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3") as [ipaddr.IPv6, number];

/** An IP address as ipaddr.js reads it (IPv4-mapped IPv6 as IPv4), or null for a name. */
function parsed(host: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = host.replace(/^\[|\]$/g, "");
  return ipaddr.isValid(bare) ? ipaddr.process(bare) : null;
}

/** True when `host:port` is one of the endpoints the policy never calls. */
function neverCalled(host: string, port: number, policy: OutboundPolicy): boolean {
  const address = parsed(host)?.toString() ?? host.toLowerCase();
  return policy.neverCall.some((endpoint) => {
    const colon = endpoint.lastIndexOf(":");
    const name = endpoint.slice(0, colon);
    return (
      Number(endpoint.slice(colon + 1)) === port &&
      (parsed(name)?.toString() ?? name.toLowerCase()) === address
    );
  });
}

/**
 * Why `host` (an IP address, or a name before it is resolved) may not be called on `port`,
 * or null when it may. A name is only checked against `neverCall` here; the addresses it
 * resolves to are checked one by one when the connection is made.
 * @example
 * refusalOf("169.254.169.254", 80, PUBLIC_ONLY) // "169.254.169.254 is not a public address (linkLocal)"
 * refusalOf("::ffff:127.0.0.1", 80, PUBLIC_ONLY) // "127.0.0.1 is not a public address (loopback)"
 */
export function refusalOf(host: string, port: number, policy: OutboundPolicy): string | null {
  if (neverCalled(host, port, policy)) {
    const shown = host.includes(":") ? `[${host}]` : host;
    return `${shown}:${port} is the Lambda runtime API, which outcry never calls`;
  }
  const address = parsed(host);
  if (address === null || policy.allowPrivateNetworks) return null;
  const range = address.range();
  if (range !== "unicast") return `${address} is not a public address (${range})`;
  if (address.kind() === "ipv6" && !address.match(GLOBAL_UNICAST_V6)) {
    return `${address} is not a public address (outside 2000::/3)`;
  }
  return null;
}
