/**
 * Who a crowd reporter is, for deduplication and rate limiting: an IPv4 address as it is,
 * and an IPv6 address by its /64 network, because one subscriber line gets a whole /64
 * and could otherwise report (and flood) from billions of addresses.
 */
import ipaddr from "ipaddr.js";

/** The eight 16-bit groups of an IPv6 address; null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  const [head = "", tail, ...rest] = address.split("::");
  if (rest.length > 0) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if ((tail === undefined && missing !== 0) || missing < 0) return null;
  const groups = [...left, ...Array<string>(Math.max(0, missing)).fill("0"), ...right];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}

/**
 * The key a reporter is known by: IPv4 addresses (also IPv4-mapped IPv6) unchanged, IPv6
 * addresses reduced to their /64 prefix.
 * @example reporterAddressKey("2001:db8:1:2::7") // "2001:db8:1:2::/64"
 */
export function reporterAddressKey(address: string): string {
  const plain = address
    .trim()
    .toLowerCase()
    .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  if (!plain.includes(":")) return plain;
  const groups = ipv6Groups(plain.replace(/%.*$/, ""));
  if (!groups) return plain;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/**
 * The network an address belongs to, as `<first address>/<prefix>`: by default an IPv4
 * /24 or an IPv6 /48, the block one subscriber, office or small hoster gets.
 * @example networkKey("5.6.7.8", { ipv4: 24, ipv6: 48 }) // "5.6.7.0/24"
 */
export function networkKey(address: string, prefixes: { ipv4: number; ipv6: number }): string {
  const plain = address.trim().toLowerCase();
  try {
    const parsed = ipaddr.process(plain);
    const bits = parsed.kind() === "ipv4" ? prefixes.ipv4 : prefixes.ipv6;
    const family = parsed.kind() === "ipv4" ? ipaddr.IPv4 : ipaddr.IPv6;
    const network = family.networkAddressFromCIDR(`${parsed.toString()}/${bits}`);
    return `${network.toString()}/${bits}`;
  } catch {
    return plain;
  }
}
