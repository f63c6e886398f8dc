/**
 * classifySourceFailure: each public class of source failure from the errors sources
 * throw — the HTTP client's `SourceHttpError` as it builds them (status, retryable,
 * cause, and `reason` where those do not tell), the parsers' errors, collect's deadline —
 * and `internal` for anything else; plus the wording every class has.
 */
import { describe, expect, it } from "vitest";
import {
  SOURCE_FAILURE_REASONS,
  SOURCE_FAILURE_WORDING,
  sourceFailureGlossary,
  sourceFailureText,
} from "../../contract/source-failure";
import { OutcryError } from "../../lambdas/domain/outcry-error";
import { classifySourceFailure } from "../../lambdas/domain/source-failure-class";
import { invalidBody, parseJsonBody, SourceHttpError } from "../../lambdas/http/source-http-error";

const URL = "https://feeds.example.com/count.json?token=s3cret";

/** A `SourceHttpError` as the client throws it. */
const httpError = (
  message: string,
  details: Partial<ConstructorParameters<typeof SourceHttpError>[1]> = {},
) => new SourceHttpError(message, { url: URL, retryable: false, ...details });

/** Collect's own deadline error: an OutcryError that names its class. */
class DeadlinePassed extends OutcryError {
  readonly reason = "timeout";
}

describe("classifySourceFailure", () => {
  it("classes an answer the client did not take by its status", () => {
    // Prepare
    const errors = [
      httpError(`GET ${URL} answered 404 Not Found; check the URL`, { status: 404 }),
      httpError(`GET ${URL} answered 503; the server is failing`, {
        status: 503,
        retryable: true,
      }),
      httpError(`GET ${URL} answered 401; check that the URL is public`, { status: 401 }),
    ];

    // Act
    const classes = errors.map(classifySourceFailure);

    // Assess
    expect(classes).toEqual([
      { reason: "http-status", httpStatus: 404 },
      { reason: "http-status", httpStatus: 503 },
      { reason: "http-status", httpStatus: 401 },
    ]);
  });

  it("classes a 429 as rate-limited, also when the wait it asked for was past the deadline", () => {
    // Prepare
    const limited = httpError(`GET ${URL} answered 429`, { status: 429, retryable: true });
    const tooLong = httpError(`GET ${URL} answered 429 and asked to retry after 60 s`, {
      status: 429,
      retryable: true,
      cause: limited,
    });

    // Act
    const classes = [limited, tooLong].map(classifySourceFailure);

    // Assess
    expect(classes).toEqual([
      { reason: "rate-limited", httpStatus: 429 },
      { reason: "rate-limited", httpStatus: 429 },
    ]);
  });

  it("classes a redirect by its 3xx status or by the reason the client names", () => {
    // Prepare: a 3xx without a Location comes back as an answer; a refused hop names itself
    const answered = httpError(`GET ${URL} answered 302 Found`, { status: 302 });
    const refused = httpError(`GET ${URL} redirected to another origin`, { reason: "redirect" });

    // Act
    const classes = [answered, refused].map(classifySourceFailure);

    // Assess
    expect(classes).toEqual([{ reason: "redirect", httpStatus: 302 }, { reason: "redirect" }]);
  });

  it("takes a refused address from the reason the client names", () => {
    // Prepare
    const error = httpError(`GET ${URL}: 169.254.169.254 is not a public address`, {
      reason: "refused-address",
    });

    // Act
    const failure = classifySourceFailure(error);

    // Assess
    expect(failure).toEqual({ reason: "refused-address" });
  });

  it("classes what a timer ended as a timeout: an attempt, the source's deadline, a wrapped retry", () => {
    // Prepare
    const attempt = httpError(`GET ${URL} timed out after 2500 ms`, {
      retryable: true,
      cause: new DOMException("The operation was aborted due to timeout", "TimeoutError"),
    });
    const deadline = new DeadlinePassed("source t-mobile/feed gave no answer within 4000 ms", {
      retryable: true,
    });
    const aborted = httpError(`GET ${URL}: the source's deadline passed`, {
      retryable: true,
      cause: deadline,
    });
    const connect = httpError(`GET ${URL} failed before the server answered`, {
      retryable: true,
      cause: Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error("Connect Timeout Error"), {
          code: "UND_ERR_CONNECT_TIMEOUT",
        }),
      }),
    });
    const noTimeLeft = httpError(`${attempt.message}; no time is left before the deadline`, {
      retryable: true,
      cause: attempt,
    });

    // Act
    const classes = [attempt, deadline, aborted, connect, noTimeLeft].map(classifySourceFailure);

    // Assess
    expect(classes.map((c) => c.reason)).toEqual([
      "timeout",
      "timeout",
      "timeout",
      "timeout",
      "timeout",
    ]);
  });

  it("classes a failure before or while the answer came, with no timer, as network", () => {
    // Prepare
    const refused = httpError(
      `GET ${URL} failed before the server answered (connect ECONNREFUSED)`,
      {
        retryable: true,
        cause: Object.assign(new TypeError("fetch failed"), {
          cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
            code: "ECONNREFUSED",
          }),
        }),
      },
    );
    const cutShort = httpError(`GET ${URL} failed while reading the body (terminated)`, {
      retryable: true,
      cause: new TypeError("terminated"),
    });

    // Act
    const classes = [refused, cutShort].map(classifySourceFailure);

    // Assess
    expect(classes).toEqual([{ reason: "network" }, { reason: "network" }]);
  });

  it("takes a refused 2xx answer's class from its reason, never from its message", () => {
    // Prepare: the client's refusals of an answer it received, and one naming nothing
    const named = [
      httpError("refused", { status: 200, reason: "too-large" }),
      httpError("refused", { status: 200, reason: "wrong-content-type" }),
    ];
    const unnamed = httpError(
      `GET ${URL} answered 200 with Content-Type text/html, more than 1024 bytes`,
      { status: 200 },
    );

    // Act
    const classes = [...named, unnamed].map(classifySourceFailure);

    // Assess: a class of a 2xx answer carries no status, which would read as an error code
    expect(classes).toEqual([
      { reason: "too-large" },
      { reason: "wrong-content-type" },
      { reason: "invalid-payload" },
    ]);
  });

  it("classes a body that does not parse, and a document of the wrong shape, as invalid-payload", () => {
    // Prepare
    const notJson = (() => {
      try {
        parseJsonBody({ body: "<html>Server error: db at 10.0.0.7 down</html>", url: URL });
      } catch (error) {
        return error;
      }
    })();
    const notAFeed = invalidBody(URL, "RSS or Atom", new Error("the root element is <html>"));
    // The payload readers' own refusal: not retryable, no status
    const notAList = httpError(`GET ${URL} did not return a list of statuses`);
    const refusedOther = httpError(
      `GET ${URL} answered 200 with an encoding outcry does not read`,
      {
        status: 200,
      },
    );

    // Act
    const classes = [notJson, notAFeed, notAList, refusedOther].map(classifySourceFailure);

    // Assess
    expect(classes.map((c) => c.reason)).toEqual([
      "invalid-payload",
      "invalid-payload",
      "invalid-payload",
      "invalid-payload",
    ]);
  });

  it("classes anything else as internal", () => {
    // Prepare
    const errors: unknown[] = [
      new Error("source t-mobile/faulty returned 1 counts for 3 buckets"),
      new OutcryError("the file has no rows for 't-mobile'; set the source's 'column'"),
      Object.assign(new Error("HTTP 503 from upstream"), { status: 503 }),
      Object.assign(new Error("odd"), { reason: "not-a-class" }),
      "a thrown string",
      null,
      undefined,
    ];

    // Act
    const classes = errors.map(classifySourceFailure);

    // Assess
    expect(classes.every((c) => c.reason === "internal" && c.httpStatus === undefined)).toBe(true);
  });
});

describe("the wording of source failures", () => {
  it("gives every class a label and a meaning, and a status only where there is one", () => {
    // Act
    const texts = [
      sourceFailureText({ reason: "http-status", httpStatus: 404 }),
      sourceFailureText({ reason: "rate-limited", httpStatus: 429 }),
      sourceFailureText({ reason: "timeout" }),
    ];
    const glossary = sourceFailureGlossary();

    // Assess
    expect(texts).toEqual(["HTTP error 404", "Rate-limited (HTTP 429)", "No answer in time"]);
    for (const reason of SOURCE_FAILURE_REASONS) {
      expect(SOURCE_FAILURE_WORDING[reason].label).toMatch(/^[A-Z]/);
      expect(glossary).toContain(`${reason}: ${SOURCE_FAILURE_WORDING[reason].meaning}`);
    }
  });
});
