/**
 * Builds the dashboard: one self-contained HTML page (script and styles inlined, uPlot
 * included) that the api function serves at `GET /`. Nothing is fetched from a CDN, so
 * the page works offline and behind strict networks. The page's Content-Security-Policy
 * allows only its own inline script and styles (by hash) and requests to its own origin.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type BuildOptions, build, buildSync, type OutputFile } from "esbuild";

const HERE = import.meta.dirname;
const TEMPLATE = join(HERE, "index.html");
const ENTRY = join(HERE, "src", "main.ts");

export { DASHBOARD_FILE } from "../contract/bundled-files";

const OPTIONS: BuildOptions = {
  entryPoints: [ENTRY],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2022", "chrome110", "firefox110", "safari16"],
  outdir: "out",
  write: false,
  legalComments: "none",
  logLevel: "silent",
};

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Escapes a script so that it cannot end its own `<script>` element. */
const inlineSafe = (code: string) => code.replace(/<\/(script)/gi, "<\\/$1");

function assemble(files: OutputFile[]): string {
  const script = inlineSafe(files.find((f) => f.path.endsWith(".js"))?.text ?? "");
  const styles = files.find((f) => f.path.endsWith(".css"))?.text ?? "";
  const policy = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(styles)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    // frame-ancestors is ignored in a meta policy (Chrome warns): the api sends it as a header.
  ].join("; ");
  // Replacement functions: the code may contain `$&`-like sequences.
  return readFileSync(TEMPLATE, "utf8")
    .replace(
      "<!-- outcry:csp -->",
      () => `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    )
    .replace("<!-- outcry:styles -->", () => `<style>${styles}</style>`)
    .replace("<!-- outcry:script -->", () => `<script>${script}</script>`);
}

/**
 * The dashboard page, built in memory.
 * @example const html = await buildDashboardHtml();
 */
export async function buildDashboardHtml(): Promise<string> {
  return assemble((await build(OPTIONS)).outputFiles ?? []);
}

/**
 * The same page, built synchronously (for `cdk synth`, whose stack code is synchronous).
 * @example writeFileSync(join(dir, DASHBOARD_FILE), buildDashboardHtmlSync());
 */
export function buildDashboardHtmlSync(): string {
  return assemble(buildSync(OPTIONS).outputFiles ?? []);
}
