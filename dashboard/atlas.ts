/**
 * The map's atlases as the build ships them: the TopoJSON files of `us-atlas` (the 50
 * states and DC, pre-projected with d3's Albers USA to a 975 × 610 frame, so the page needs
 * no projection for them) and `world-atlas` (countries at 1:110m, in degrees), both from
 * their npm packages (ISC licence; the data of the US Census Bureau and of Natural Earth,
 * public domain). They are served as they are, beside the page rather than in it: only a
 * page that shows a map fetches one.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { RegionArea } from "../contract/regions";

const require = createRequire(import.meta.url);

/** The package file each area's atlas is. */
export const ATLAS_SOURCES: Readonly<Record<RegionArea, string>> = {
  us: "us-atlas/states-albers-10m.json",
  world: "world-atlas/countries-110m.json",
};

/** Where the atlas of `area` is on this machine. */
export function atlasPath(area: RegionArea): string {
  return require.resolve(ATLAS_SOURCES[area]);
}

/**
 * The atlas of `area` as JSON text.
 * @example writeFileSync(join(dir, ATLAS_FILES.us), atlasText("us"));
 */
export function atlasText(area: RegionArea): string {
  return readFileSync(atlasPath(area), "utf8");
}
