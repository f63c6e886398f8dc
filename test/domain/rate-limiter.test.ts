import { describe, expect, it } from "vitest";
import { PerMinuteRateLimiter } from "../../lambdas/domain/rate-limiter";

const T0 = Date.parse("2024-03-01T10:07:00Z");

describe("PerMinuteRateLimiter", () => {
  it("counts each client's requests within a UTC minute and starts again in the next", () => {
    // Prepare
    const limiter = new PerMinuteRateLimiter();

    // Act
    const sameMinute = [0, 10_000, 59_999].map((offset) =>
      limiter.hit("198.51.100.7", T0 + offset),
    );
    const other = limiter.hit("198.51.100.8", T0 + 1_000);
    const nextMinute = limiter.hit("198.51.100.7", T0 + 60_000);

    // Assess
    expect(sameMinute).toEqual([1, 2, 3]);
    expect(other).toBe(1);
    expect(nextMinute).toBe(1);
  });
});
