/**
 * Builds the pages the api function serves: the dashboard at `GET /` and the embeddable
 * report button at `GET /embed/report`, each one self-contained HTML page (script and
 * styles inlined, uPlot included in the dashboard), and the embed's loader script at
 * `GET /embed.js`. Nothing is fetched from a CDN, so the pages work offline and behind
 * strict networks. A page's Content-Security-Policy allows only its own inline script and
 * styles (by hash) and requests to its own origin.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type BuildOptions, build, buildSync, type OutputFile } from "esbuild";
import type { EmbedFiles } from "../contract/bundled-files";

const HERE = import.meta.dirname;

export {
  DASHBOARD_FILE,
  EMBED_PAGE_FILE,
  EMBED_SCRIPT_FILE,
  type EmbedFiles,
} from "../contract/bundled-files";

/** One page: its HTML template and the script that runs it (which imports its styles). */
interface Page {
  template: string;
  entry: string;
}

const DASHBOARD: Page = {
  template: join(HERE, "index.html"),
  entry: join(HERE, "src", "main.ts"),
};

const EMBED_PAGE: Page = {
  template: join(HERE, "embed.html"),
  entry: join(HERE, "src", "embed", "report-button.ts"),
};

/** The loader a host page includes; not a page of its own, so no template. */
const EMBED_SCRIPT_ENTRY = join(HERE, "src", "embed", "embed-script.ts");

const options = (entry: string): BuildOptions => ({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2022", "chrome110", "firefox110", "safari16"],
  outdir: "out",
  write: false,
  legalComments: "none",
  logLevel: "silent",
});

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Escapes a script so that it cannot end its own `<script>` element. */
const inlineSafe = (code: string) => code.replace(/<\/(script)/gi, "<\\/$1");

const scriptOf = (files: OutputFile[]) => files.find((f) => f.path.endsWith(".js"))?.text ?? "";

function assemble(page: Page, files: OutputFile[]): string {
  const script = inlineSafe(scriptOf(files));
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
  return readFileSync(page.template, "utf8")
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
  return assemble(DASHBOARD, (await build(options(DASHBOARD.entry))).outputFiles ?? []);
}

/**
 * The same page, built synchronously (for `cdk synth`, whose stack code is synchronous).
 * @example writeFileSync(join(dir, DASHBOARD_FILE), buildDashboardHtmlSync());
 */
export function buildDashboardHtmlSync(): string {
  return assemble(DASHBOARD, buildSync(options(DASHBOARD.entry)).outputFiles ?? []);
}

/**
 * The report button's page and loader, built in memory.
 * @example const { page, script } = await buildEmbedFiles();
 */
export async function buildEmbedFiles(): Promise<EmbedFiles> {
  const [page, loader] = await Promise.all([
    build(options(EMBED_PAGE.entry)),
    build(options(EMBED_SCRIPT_ENTRY)),
  ]);
  return {
    page: assemble(EMBED_PAGE, page.outputFiles ?? []),
    script: scriptOf(loader.outputFiles ?? []),
  };
}

/**
 * The same files, built synchronously (for `cdk synth`).
 * @example writeFileSync(join(dir, EMBED_PAGE_FILE), buildEmbedFilesSync().page);
 */
export function buildEmbedFilesSync(): EmbedFiles {
  return {
    page: assemble(EMBED_PAGE, buildSync(options(EMBED_PAGE.entry)).outputFiles ?? []),
    script: scriptOf(buildSync(options(EMBED_SCRIPT_ENTRY)).outputFiles ?? []),
  };
}
