/** Content negotiation and validators of the API's answers. */
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { acceptsGzip, compressed, withValidator } from "../../lambdas/api/responses";

describe("acceptsGzip", () => {
  it.each([
    ["gzip", true],
    ["gzip, deflate, br", true],
    ["br;q=1.0, gzip;q=0.8", true],
    ["*", true],
    ["identity", false],
    [undefined, false],
    ["gzip;q=0", false],
    ["gzip;q=0, *", false],
    ["*;q=0", false],
  ])("%s -> %s", (header, accepted) => {
    expect(acceptsGzip(header)).toBe(accepted);
  });
});

describe("compressed", () => {
  it("gives the gzip coding its own strong validator and keeps the body", () => {
    // Arrange
    const body = JSON.stringify({ points: Array.from({ length: 2000 }, (_, i) => ({ i })) });
    const tagged = withValidator({ statusCode: 200, body }, "public, max-age=30");

    // Act
    const gzipped = compressed(tagged, true);
    const plain = compressed(tagged, false);

    // Assess
    expect(gzipped.headers?.etag).toBe(String(tagged.headers?.etag).replace(/"$/, '-gz"'));
    expect(plain.headers?.etag).toBe(tagged.headers?.etag);
    expect(gunzipSync(Buffer.from(gzipped.body ?? "", "base64")).toString()).toBe(body);
  });
});
