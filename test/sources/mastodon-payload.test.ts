/**
 * Reading a Mastodon page from a hostile or broken server: the `Link` header as RFC 8288
 * writes it, whatever its parameters hold, and the statuses, each in time linear in the
 * length of what the server sent.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { htmlToText } from "../../lambdas/sources/html-text";
import { nextLink, parseStatuses } from "../../lambdas/sources/mastodon/payload";
import { LINEAR_LIMIT, settledGrowthRatio } from "../support/growth";
import { HTML_SHAPES, LINK_HEADER_SHAPES, repeatTo } from "../support/hostile-payloads";

const ORIGIN = "https://m.example";

describe("nextLink", () => {
  it.each([
    ["a comma inside the target", "<https://m.example/a,b>; rel=next", "https://m.example/a,b"],
    [
      "a quoted parameter holding a comma, a link and rel=next",
      '<https://m.example/a>; title="x, <https://m.example/b>; rel=next"; rel="prev next"',
      "https://m.example/a",
    ],
    [
      "rel in any case, spaces around '='",
      '<https://m.example/a>; REL = "Next"',
      "https://m.example/a",
    ],
    [
      "an escaped quote in a quoted rel",
      '<https://m.example/a>; rel="x\\"y next"',
      "https://m.example/a",
    ],
    [
      "an empty target, then a real one",
      "<>; rel=next, <https://m.example/c>; rel=next",
      "https://m.example/c",
    ],
    [
      "a relative target",
      '</api/v1/timelines/tag/x?max_id=3>; rel="next"',
      "https://m.example/api/v1/timelines/tag/x?max_id=3",
    ],
  ])("reads %s", (_, header, next) => {
    // Act / Assess
    expect(nextLink(header, ORIGIN)).toBe(next);
  });

  it.each([
    ["a second rel (ignored, RFC 8288 §3.3)", '<https://m.example/a>; rel="prev"; rel="next"'],
    ["a rel that only starts with next", "<https://m.example/a>;rel=nextx"],
    ["a link to another origin", '<https://evil.example/x>; rel="next"'],
    ["no target", 'rel="next"'],
  ])("finds no next link with %s", (_, header) => {
    // Act / Assess
    expect(nextLink(header, ORIGIN)).toBeNull();
  });

  it("finds the first rel=next link among any others, whatever their parameters hold", () => {
    const quoted = fc
      .array(fc.constantFrom("a", " ", ",", ";", "<", ">", "=", "next", '\\"', "\\\\"), {
        maxLength: 8,
      })
      .map((parts) => `"${parts.join("")}"`);
    const link = fc.record({
      path: fc.stringMatching(/^[a-z0-9]{1,6}$/),
      rel: fc.constantFrom("next", "prev", "prev next", "last", "NEXT", "nexts"),
      title: fc.option(quoted, { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(link, { maxLength: 5 }), (links) => {
        // Prepare
        const header = links
          .map((l) => `<${ORIGIN}/${l.path}>;${l.title ? ` title=${l.title};` : ""} rel="${l.rel}"`)
          .join(", ");
        const first = links.find((l) => l.rel.toLowerCase().split(" ").includes("next"));

        // Act / Assess
        expect(nextLink(header, ORIGIN)).toBe(first ? `${ORIGIN}/${first.path}` : null);
      }),
    );
  });

  it("answers null or a same-origin URL for any hostile header", () => {
    const header = fc
      .array(
        fc.constantFrom(
          "<",
          ">",
          ";",
          ",",
          '"',
          "\\",
          "rel",
          "=",
          "next",
          " ",
          "https://m.example/x",
          "//evil.example/",
        ),
        {
          maxLength: 40,
        },
      )
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(header, (text) => {
        // Act
        const next = nextLink(text, ORIGIN);

        // Assess
        expect(next === null || new URL(next).origin === ORIGIN).toBe(true);
      }),
    );
  });

  it.each(LINK_HEADER_SHAPES.map((shape) => [shape.name, shape] as const))(
    "takes time linear in a hostile header: %s",
    (_, shape) => {
      // Act
      const ratio = settledGrowthRatio(shape.make, (header) => nextLink(header, ORIGIN), 64_000);

      // Assess
      expect(ratio).toBeLessThan(LINEAR_LIMIT);
    },
  );
});

/** A page of one status whose fields come from `fields`. */
function page(fields: Record<string, unknown>): unknown[] {
  return [{ id: "1", created_at: "2023-02-14T03:00:00.000Z", reblog: null, ...fields }];
}

describe("parseStatuses", () => {
  it("reads a post's HTML once, after its content warning as it is", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (content, warning) => {
        // Act
        const [status] = parseStatuses(page({ content, spoiler_text: warning }), ORIGIN);

        // Assess
        expect(status?.text).toBe(`${warning} ${htmlToText(content)}`);
      }),
    );
  });

  it.each(HTML_SHAPES.map((shape) => [shape.name, shape] as const))(
    "takes time linear in a hostile post: %s",
    (_, shape) => {
      // Act
      const ratio = settledGrowthRatio(
        shape.make,
        (content) => parseStatuses(page({ content }), ORIGIN),
        256_000,
      );

      // Assess
      expect(ratio).toBeLessThan(LINEAR_LIMIT);
    },
  );

  it("takes time linear in a hostile created_at", () => {
    // Act
    const ratio = settledGrowthRatio(
      (size) => `2023-02-14T03:00:00.${repeatTo("1", size)}Z`,
      (createdAt) => parseStatuses(page({ created_at: createdAt }), ORIGIN),
      256_000,
    );

    // Assess
    expect(ratio).toBeLessThan(LINEAR_LIMIT);
  });
});
