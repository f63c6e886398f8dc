/**
 * The one error base: outcry's own errors, whatever layer raised them, are told apart
 * from everything else by one `instanceof` and say whether a retry may help.
 */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../bin/commands/usage-error";
import { HttpError } from "../../lambdas/api/http-error";
import { ConfigError } from "../../lambdas/domain/config";
import { CountsCsvError } from "../../lambdas/domain/counts-csv";
import { OutcryError } from "../../lambdas/domain/outcry-error";
import { InvalidCursorError, ReportRejected } from "../../lambdas/domain/ports";
import { HttpFailure } from "../../lambdas/http/http-failure";
import { SourceHttpError } from "../../lambdas/http/source-http-error";

describe("OutcryError", () => {
  it("is not retryable unless it says so, and keeps its cause", () => {
    // Act
    const plain = new OutcryError("the table is missing");
    const cause = new Error("ECONNRESET");
    const failure = new HttpFailure("GET https://status.example.com failed", {
      retryable: true,
      status: 503,
      cause,
    });

    // Assess
    expect(plain.retryable).toBe(false);
    expect(plain.cause).toBeUndefined();
    expect(failure.retryable).toBe(true);
    expect(failure.cause).toBe(cause);
    expect(failure.status).toBe(503);
    expect(failure.name).toBe("HttpFailure");
  });

  it("is the base of the errors every layer raises", () => {
    // Act
    const raised = [
      new ConfigError("config.json is not valid", ["services: required"]),
      new CountsCsvError(2, "count is negative", "counts.csv"),
      new InvalidCursorError(),
      new ReportRejected("rate-limited", "too many reports", 60),
      new SourceHttpError("GET https://status.example.com: 404", {
        url: "https://status.example.com",
        retryable: false,
      }),
      new HttpError(404, "Not Found", "no service 'nope'"),
      new UsageError("--port takes a number"),
    ];

    // Assess
    for (const error of raised) expect(error).toBeInstanceOf(OutcryError);
    expect(new Error("other")).not.toBeInstanceOf(OutcryError);
  });
});
