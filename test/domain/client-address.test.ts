import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ClientAddress,
  networkKey,
  parseClientAddress,
  reporterKey,
} from "../../lambdas/domain/client-address";

const PREFIXES = { ipv4: 24, ipv6: 48 };

/** The address `text` names; fails the test when it names none. */
function address(text: string): ClientAddress {
  const parsed = parseClientAddress(text);
  if (!parsed) throw new Error(`${text} should be an address`);
  return parsed;
}

describe("parseClientAddress", () => {
  it("reads IPv4 and IPv6 addresses into one spelling each", () => {
    expect(address("198.51.100.7").text).toBe("198.51.100.7");
    expect(address("2001:0DB8:0000:0000:0000:0000:0000:0001").text).toBe("2001:db8::1");
    expect(address("2001:db8::1").text).toBe("2001:db8::1");
  });

  it("reads an IPv4-mapped IPv6 address as the IPv4 address it maps", () => {
    expect(address("::ffff:5.6.7.8")).toMatchObject({ kind: "ipv4", text: "5.6.7.8" });
    expect(address("0:0:0:0:0:ffff:5.6.7.8").text).toBe("5.6.7.8");
    expect(address("::ffff:0506:0708").text).toBe("5.6.7.8");
  });

  it("drops an IPv6 zone, which names an interface and not a host", () => {
    expect(address("fe80::1%eth0").text).toBe("fe80::1");
    expect(address("fe80::1%7").text).toBe(address("fe80::1").text);
  });

  it("refuses what is not exactly an address, however a lenient parser would read it", () => {
    for (const text of [
      "",
      "not-an-ip",
      "<script>",
      "127.1",
      "0x7f.0.0.1",
      "010.0.0.1",
      "1.2.3.256",
      " 1.2.3.4",
      "1.2.3.4 ",
      "1.2.3.4, 5.6.7.8",
      "1::2::3",
      "2001:db8::1/64",
      "9".repeat(100),
    ]) {
      expect(parseClientAddress(text), text).toBeNull();
    }
  });

  it("gives every IPv4 address one key, however it is written in IPv6", () => {
    fc.assert(
      fc.property(fc.ipV4(), (ipv4) => {
        const plain = address(ipv4);
        const [a = 0, b = 0, c = 0, d = 0] = ipv4.split(".").map(Number);
        const hex = (x: number, y: number) => ((x << 8) | y).toString(16);
        for (const mapped of [
          `::ffff:${ipv4}`,
          `0:0:0:0:0:ffff:${ipv4}`,
          `::FFFF:${hex(a, b)}:${hex(c, d)}`,
        ]) {
          expect(address(mapped).text).toBe(plain.text);
        }
      }),
    );
  });

  it("is a fixed point: the canonical text reads back as itself", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const once = address(text);
        expect(address(once.text).text).toBe(once.text);
      }),
    );
  });

  it("never takes a string that is not an address", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const parsed = parseClientAddress(text);
        // Whatever it takes, it can write back as an address again.
        if (parsed) expect(parseClientAddress(parsed.text)?.text).toBe(parsed.text);
      }),
    );
  });
});

describe("reporterKey", () => {
  it("keeps IPv4 addresses as they are", () => {
    expect(reporterKey(address("198.51.100.7"))).toBe("198.51.100.7");
    expect(reporterKey(address("::ffff:198.51.100.7"))).toBe("198.51.100.7");
  });

  it("reduces IPv6 addresses to their /64, however they are written", () => {
    const key = "2001:db8:1:2::/64";
    expect(reporterKey(address("2001:db8:1:2::7"))).toBe(key);
    expect(reporterKey(address("2001:0DB8:0001:0002:ffff:0:0:1"))).toBe(key);
    expect(reporterKey(address("2001:db8:1:2:a:b:c:d"))).toBe(key);
    expect(reporterKey(address("2001:db8:1:3::7"))).not.toBe(key);
  });
});

describe("networkKey", () => {
  it("groups IPv4 by /24 and IPv6 by /48 by default", () => {
    expect(networkKey(address("5.6.7.8"), PREFIXES)).toBe("5.6.7.0/24");
    expect(networkKey(address("::ffff:5.6.7.200"), PREFIXES)).toBe("5.6.7.0/24");
    expect(networkKey(address("5.6.8.8"), PREFIXES)).toBe("5.6.8.0/24");
    expect(networkKey(address("2001:db8:1:2::7"), PREFIXES)).toBe("2001:db8:1::/48");
    expect(networkKey(address("2001:db8:1:ffff::1"), PREFIXES)).toBe("2001:db8:1::/48");
  });

  it("follows the configured widths", () => {
    const wide = { ipv4: 16, ipv6: 32 };
    expect(networkKey(address("5.6.7.8"), wide)).toBe("5.6.0.0/16");
    expect(networkKey(address("2001:db8:1:2::7"), wide)).toBe("2001:db8::/32");
  });

  it("puts every address of one /24 in one network", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (x, y) => {
        expect(networkKey(address(`203.0.113.${x}`), PREFIXES)).toBe(
          networkKey(address(`203.0.113.${y}`), PREFIXES),
        );
      }),
    );
  });
});
