import { describe, expect, it } from "vitest";
import { reporterAddressKey } from "../../lambdas/domain/client-address";

describe("reporterAddressKey", () => {
  it("keeps IPv4 addresses, also when mapped into IPv6", () => {
    expect(reporterAddressKey("198.51.100.7")).toBe("198.51.100.7");
    expect(reporterAddressKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
  });

  it("reduces IPv6 addresses to their /64, however they are written", () => {
    const key = "2001:db8:1:2::/64";
    expect(reporterAddressKey("2001:db8:1:2::7")).toBe(key);
    expect(reporterAddressKey("2001:0DB8:0001:0002:ffff:0:0:1")).toBe(key);
    expect(reporterAddressKey("2001:db8:1:2:a:b:c:d")).toBe(key);
    expect(reporterAddressKey("2001:db8:1:3::7")).not.toBe(key);
    expect(reporterAddressKey("::1")).toBe("0:0:0:0::/64");
  });

  it("leaves anything unreadable as it is", () => {
    expect(reporterAddressKey("not-an-address")).toBe("not-an-address");
    expect(reporterAddressKey("1::2::3")).toBe("1::2::3");
  });
});
