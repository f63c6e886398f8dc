/**
 * requestAddressReader and parseTrustedProxies: which address a local request came from,
 * with X-Forwarded-For read from the right past the trusted proxies only.
 */
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { parseTrustedProxies, requestAddressReader } from "../../local/request-address";

/** A request from `socket` carrying `forwardedFor`, as Node hands it over. */
function request(socket: string, forwardedFor?: string): IncomingMessage {
  return {
    socket: { remoteAddress: socket },
    connection: { remoteAddress: socket },
    headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
  } as unknown as IncomingMessage;
}

describe("requestAddressReader", () => {
  it("takes the socket's address and ignores X-Forwarded-For when no proxy is trusted", () => {
    const read = requestAddressReader(null);
    expect(read(request("::ffff:127.0.0.1", "203.0.113.9"))).toBe("::ffff:127.0.0.1");
  });

  it("takes the address the nearest trusted proxy saw, never what the client wrote", () => {
    // Prepare: the client wrote two entries; the proxy on loopback appended what it saw.
    const read = requestAddressReader({ hops: 1 });
    const forged = "1.1.1.1, 2.2.2.2";

    // Act
    const seen = read(request("127.0.0.1", `${forged}, 198.51.100.7`));

    // Assess
    expect(seen).toBe("198.51.100.7");
  });

  it("walks as many hops as it is told to trust", () => {
    const chain = "6.6.6.6, 198.51.100.7, 10.0.0.2";
    expect(requestAddressReader({ hops: 1 })(request("10.0.0.1", chain))).toBe("10.0.0.2");
    expect(requestAddressReader({ hops: 2 })(request("10.0.0.1", chain))).toBe("198.51.100.7");
  });

  it("trusts proxies by address, stopping at the first it does not trust", () => {
    const read = requestAddressReader(parseTrustedProxies("loopback, 10.0.0.0/8"));
    expect(read(request("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.2"))).toBe("198.51.100.7");
    // A client on the network itself is not a proxy: what it wrote is not read.
    expect(read(request("192.0.2.50", "6.6.6.6"))).toBe("192.0.2.50");
  });

  it("hands a forged entry on as written, for the report routes to refuse", () => {
    const read = requestAddressReader({ hops: 1 });
    expect(read(request("127.0.0.1", "not-an-ip"))).toBe("not-an-ip");
  });
});

describe("parseTrustedProxies", () => {
  it("reads hops and address lists", () => {
    expect(parseTrustedProxies("2")).toEqual({ hops: 2 });
    expect(parseTrustedProxies("loopback,10.0.0.0/8")).toEqual({
      addresses: ["loopback", "10.0.0.0/8"],
    });
  });

  it("refuses what is neither, naming it", () => {
    expect(() => parseTrustedProxies("0")).toThrow(/1 to 10 hops/);
    expect(() => parseTrustedProxies("proxy.example")).toThrow(/proxy\.example/);
    expect(() => parseTrustedProxies(" , ")).toThrow(/hops or addresses/);
  });
});
