/**
 * `npm run bench`: prints the figures outcry's targets are judged by. It measures; it
 * does not pass or fail tests (a budget that is exceeded is marked OVER and the exit code
 * is 1, so a script can notice).
 *
 * Usage: npm run bench [-- SECTION ...]   sections: bundles, store-reads, crowd-ingestion (default: all)
 */
import { benchBundles } from "./bundles";
import { benchCrowdIngestion } from "./crowd-ingestion";
import { benchStoreReads } from "./store-reads";

const sections: Record<string, () => boolean | Promise<boolean>> = {
  bundles: () => benchBundles(),
  "store-reads": () => benchStoreReads(),
  "crowd-ingestion": () => benchCrowdIngestion(),
};

async function main(): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in sections));
  if (unknown.length > 0) {
    console.error(`unknown section ${unknown.join(", ")}; use ${Object.keys(sections).join(", ")}`);
    return 2;
  }
  let ok = true;
  for (const name of asked.length > 0 ? asked : Object.keys(sections)) {
    ok = (await sections[name]?.()) !== false && ok;
  }
  return ok ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
});
