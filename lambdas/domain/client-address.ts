/**
 * Who a crowd reporter is. The address the network saw is read strictly (ipaddr.js), so
 * that one client cannot become many by writing its address many ways:
 * - IPv4 only as four plain decimal parts (`127.1`, `0x7f.0.0.1` and `010.0.0.1` are
 *   not addresses here, though some parsers read them);
 * - an IPv4-mapped IPv6 address (`::ffff:5.6.7.8`, `0:0:0:0:0:ffff:5.6.7.8`) is the IPv4
 *   address it maps;
 * - an IPv6 zone (`fe80::1%eth0`) is dropped: it names an interface, not a host;
 * - anything else (`not-an-ip`, `<script>`, an empty string) is no address at all, and
 *   its request is refused.
 * Reporters are then known by their address (IPv4) or their /64 (IPv6: one subscriber
 * line gets a whole /64), and grouped into networks for the per-network cap.
 */
import ipaddr from "ipaddr.js";

/** A client address, read and written one way. */
export interface ClientAddress {
  kind: "ipv4" | "ipv6";
  /** The canonical text: dotted decimal, or RFC 5952 for IPv6. */
  text: string;
  /** The parsed address, for prefix arithmetic. */
  address: ipaddr.IPv4 | ipaddr.IPv6;
}

/** Longest text read as an address (a full IPv6 address with an IPv4 tail is 45). */
const MAX_ADDRESS_LENGTH = 64;

/**
 * The address `text` names, or null when it is not exactly an IPv4 or IPv6 address.
 * @example parseClientAddress("::ffff:5.6.7.8")?.text // "5.6.7.8"
 * @example parseClientAddress("127.1") // null
 */
export function parseClientAddress(text: string): ClientAddress | null {
  if (text.length === 0 || text.length > MAX_ADDRESS_LENGTH) return null;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const address = ipaddr.IPv4.parse(text);
    return { kind: "ipv4", text: address.toString(), address };
  }
  if (!ipaddr.IPv6.isValid(text)) return null;
  const parsed = ipaddr.IPv6.parse(text);
  if (parsed.isIPv4MappedAddress()) {
    const address = parsed.toIPv4Address();
    return { kind: "ipv4", text: address.toString(), address };
  }
  // A new address from the parts alone: the zone goes.
  const address = new ipaddr.IPv6(parsed.parts);
  return { kind: "ipv6", text: address.toRFC5952String(), address };
}

/** `<first address>/<bits>` of the network of `bits` that holds `client`. */
function prefixOf(client: ClientAddress, bits: number): string {
  const family = client.kind === "ipv4" ? ipaddr.IPv4 : ipaddr.IPv6;
  const network = family.networkAddressFromCIDR(`${client.address.toString()}/${bits}`);
  const text = network instanceof ipaddr.IPv6 ? network.toRFC5952String() : network.toString();
  return `${text}/${bits}`;
}

/**
 * The key a reporter is known by: an IPv4 address as it is, an IPv6 address by its /64.
 * @example reporterKey(parseClientAddress("2001:db8:1:2::7")!) // "2001:db8:1:2::/64"
 */
export function reporterKey(client: ClientAddress): string {
  return client.kind === "ipv4" ? client.text : prefixOf(client, 64);
}

/** How wide one network is, per family (`reports.networkPrefixes`). */
export interface NetworkPrefixes {
  ipv4: number;
  ipv6: number;
}

/**
 * The network an address belongs to, as `<first address>/<prefix>`: by default an IPv4
 * /24 or an IPv6 /48, the block one subscriber, office or small hoster gets.
 * @example networkKey(parseClientAddress("5.6.7.8")!, { ipv4: 24, ipv6: 48 }) // "5.6.7.0/24"
 */
export function networkKey(client: ClientAddress, prefixes: NetworkPrefixes): string {
  return prefixOf(client, client.kind === "ipv4" ? prefixes.ipv4 : prefixes.ipv6);
}
