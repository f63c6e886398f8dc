/**
 * Hostile-payload figures: for each hostile shape, the worst time per MB of input that
 * `htmlToText`, `parseFeed` (over each way a feed carries a body), the XML reading (floods
 * at the XML level) and Mastodon's `Link` header reading take, over inputs from 62.5 KB
 * to 1 MB. Linear work keeps the same figure at every size; work that grows faster shows
 * up as a worst figure far above the others. It prints; it does not judge the times.
 */
import { htmlToText } from "../lambdas/sources/html-text";
import { nextLink } from "../lambdas/sources/mastodon/payload";
import { parseFeed } from "../lambdas/sources/rss/payload";
import { bestTime } from "../test/support/growth";
import {
  FEED_WRAPPINGS,
  type HostileShape,
  HTML_SHAPES,
  LINK_HEADER_SHAPES,
  XML_FLOODS,
} from "../test/support/hostile-payloads";

/** Sizes each shape is made at, in characters (the shapes are ASCII, so bytes too). */
const SIZES = [62_500, 250_000, 1_000_000];
const MB = 1_000_000;
const RUNS = 3;

/** The worst time per MB over {@link SIZES}, and whether the parser refused the input. */
interface Figure {
  msPerMb: number;
  refused: boolean;
}

function measure(make: (size: number) => string, run: (input: string) => unknown): Figure {
  let worst = 0;
  let refused = false;
  for (const size of SIZES) {
    const input = make(size);
    const once = () => {
      try {
        run(input);
        refused = false;
      } catch {
        refused = true;
      }
    };
    once();
    worst = Math.max(worst, bestTime(once, RUNS) / (input.length / MB));
  }
  return { msPerMb: worst, refused };
}

function cell(figure: Figure, width: number): string {
  const text = `${figure.msPerMb.toFixed(0)}${figure.refused ? " r" : ""}`;
  return text.padStart(width);
}

const read = (xml: string) => parseFeed(xml, "https://bench.example/feed");

/** One line per shape: its name and the figure of `run` on it. */
function printShapes(
  title: string,
  shapes: readonly HostileShape[],
  run: (input: string) => unknown,
): void {
  console.log(`\n${title}`);
  for (const shape of shapes) {
    console.log(`  ${shape.name.padEnd(36)}${cell(measure(shape.make, run), 8)}`);
  }
}

/** Prints the figures; returns true, since a time here is a figure, not a pass or a fail. */
export function benchHostileParsing(): boolean {
  console.log(
    `\nHostile parsing: worst ms per MB of input over ${SIZES.map((s) => `${s / 1000} KB`).join(", ")} (best of ${RUNS} runs each; "r" = refused as invalid)`,
  );
  printShapes("htmlToText (feed bodies, Mastodon posts)", HTML_SHAPES, htmlToText);

  const width = 13;
  console.log(
    "\nparseFeed, an HTML body in an RSS description or an Atom content or title (ms per MB of the whole document)",
  );
  console.log(
    `  ${"shape".padEnd(36)}${FEED_WRAPPINGS.map((w) => w.short.padStart(width)).join("")}`,
  );
  for (const shape of HTML_SHAPES) {
    const cells = FEED_WRAPPINGS.map((wrapping) =>
      cell(
        measure((size) => wrapping.wrap(shape.make(size)), read),
        width,
      ),
    );
    console.log(`  ${shape.name.padEnd(36)}${cells.join("")}`);
  }

  printShapes("parseFeed, XML-level floods", XML_FLOODS, read);
  printShapes("Mastodon Link header (nextLink)", LINK_HEADER_SHAPES, (header) =>
    nextLink(header, "https://m.example"),
  );
  return true;
}
