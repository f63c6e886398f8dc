/**
 * The map: report density by region (US states, or countries) as SVG, filled by count on
 * a sequential scale, with its legend, and beside it the table of the shown regions,
 * which is the map's equivalent for keyboards and screen readers. Only the regions the
 * server showed (`mix.regions`: the k-anonymity rule is the server's) are filled, named
 * with a count or listed; every other shape reads the same "no count shown".
 *
 * Why the atlas is fetched and not inlined: the shapes are most of the map's weight (about
 * 30 KB gzipped for the states, 38 KB for the countries), and most views never draw a
 * map. The page fetches the atlas as data from its own origin (`GET /atlas/{area}.json`,
 * under the `connect-src 'self'` it already has) the first time it shows a map, and the
 * code that draws it (d3-geo's path and projection, topojson-client's decoding: a few KB)
 * stays in the one inline script. A separate script chunk would need `script-src 'self'`
 * (or a hashed external script, which not every browser honours), loosening the page's
 * hash-only script policy; data that is only parsed as JSON never runs.
 */
import { type GeoProjection, geoEqualEarth, geoPath } from "d3-geo";
import type { FeatureCollection, Geometry } from "geojson";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import { REGION_MIN_REPORTS, type RegionArea, regionsOf } from "../../contract/regions";
import { api, isAbort } from "./api";
import { h, replaceChildren, setText, svg } from "./dom";
import { formatCount } from "./format";
import {
  percent,
  type RegionModel,
  type ReportMix,
  regionModel,
  regionNoun,
  shadeOf,
} from "./mix-model";

/** How each area's atlas is drawn: its object of shapes and its frame. */
const FRAMES: Readonly<
  Record<RegionArea, { object: string; width: number; height: number; projected: boolean }>
> = {
  // us-atlas's Albers USA frame: the coordinates are already pixels.
  us: { object: "states", width: 975, height: 610, projected: true },
  world: { object: "countries", width: 960, height: 470, projected: false },
};

/** One drawn shape, kept to be refilled on each update. */
interface Shape {
  path: SVGPathElement;
  title: SVGTitleElement;
  name: string;
}

/** A drawn map of one area: its SVG and its shapes by atlas id. */
interface DrawnMap {
  area: RegionArea;
  element: SVGSVGElement;
  shapes: Map<string, Shape>;
}

/** The atlases fetched so far, by area (one request per page, whatever the views do). */
const atlases = new Map<RegionArea, Promise<Topology>>();

function fetchAtlas(area: RegionArea, signal: AbortSignal): Promise<Topology> {
  let atlas = atlases.get(area);
  if (!atlas) {
    atlas = api.atlas(area, signal).then((data) => checkedTopology(data, FRAMES[area].object));
    // A failed or abandoned fetch is tried again by the next view that shows a map.
    atlas.catch(() => atlases.delete(area));
    atlases.set(area, atlas);
  }
  return atlas;
}

/**
 * The atlas as a topology with the named collection of shapes.
 * @throws Error saying what is missing, when the answer is not such an atlas
 */
function checkedTopology(data: unknown, object: string): Topology {
  const topology = data as Partial<Topology> | null;
  const shapes = topology?.objects?.[object] as Partial<GeometryCollection> | undefined;
  if (topology?.type !== "Topology" || !Array.isArray(topology.arcs) || !shapes) {
    throw new Error(`the atlas has no ${object}`);
  }
  if (shapes.type !== "GeometryCollection" || !Array.isArray(shapes.geometries)) {
    throw new Error(`the atlas's ${object} are not a collection of shapes`);
  }
  return topology as Topology;
}

/** Draws every shape of `area`'s atlas, unfilled. */
function drawMap(area: RegionArea, topology: Topology): DrawnMap {
  const frame = FRAMES[area];
  const collection = topology.objects[frame.object] as GeometryCollection;
  const shapes = feature(topology, collection) as FeatureCollection<Geometry, { name?: string }>;
  let projection: GeoProjection | null = null;
  if (!frame.projected) {
    projection = geoEqualEarth().fitSize([frame.width, frame.height], { type: "Sphere" });
  }
  const path = geoPath(projection);
  const names = new Map(regionsOf(area).map((r) => [r.shapeId, r]));
  const element = svg("svg", {
    viewBox: `0 0 ${frame.width} ${frame.height}`,
    class: "map",
    role: "img",
  });
  if (projection) {
    element.append(svg("path", { class: "map-sphere", d: path({ type: "Sphere" }) ?? "" }));
  }
  const drawn = new Map<string, Shape>();
  for (const [index, shape] of shapes.features.entries()) {
    const d = path(shape);
    if (!d) continue;
    // A few of Natural Earth's shapes (disputed lands) have no code: drawn, never filled.
    const id = shape.id === undefined ? `unnamed-${index}` : String(shape.id);
    const region = names.get(id);
    const name = region?.name ?? shape.properties?.name ?? "";
    const title = svg("title", {});
    const drawnPath = svg(
      "path",
      { d, class: "region no-data", "data-region": region?.code },
      title,
    );
    element.append(drawnPath);
    drawn.set(id, { path: drawnPath, title, name });
  }
  return { area, element, shapes: drawn };
}

/** The map and its table, updated in place; hidden while no report had a region. */
export class RegionMap {
  readonly element: HTMLElement;
  private readonly figure: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly legend: HTMLUListElement;
  private readonly status: HTMLElement;
  private readonly table: HTMLElement;
  private map: DrawnMap | undefined;
  private signature = "";

  /**
   * `heading` names the section (its id labels it); `span` says over what the counts are
   * ("in the last 24 hours").
   */
  constructor(
    heading: { id: string; text: string },
    private readonly span: string,
  ) {
    const captionId = `${heading.id}-map`;
    // A paragraph naming the figure (aria-labelledby names it as well as a figcaption
    // would), so that the chart's caption stays the one figcaption of the page.
    this.caption = h("p", { id: captionId, class: "muted map-caption" });
    this.legend = h("ul", { class: "map-legend" });
    this.status = h("p", { class: "muted map-status" });
    this.figure = h(
      "figure",
      { class: "map-figure", "aria-labelledby": captionId },
      this.status,
      this.caption,
      this.legend,
    );
    this.table = h("div", { class: "region-table" });
    this.element = h(
      "section",
      { class: "where", "aria-labelledby": heading.id, hidden: true },
      h("h2", { id: heading.id }, heading.text),
      h("div", { class: "region-map" }, this.figure, this.table),
    );
  }

  /**
   * Shows `mix`: the table at once, the map once its atlas is in (fetched the first time
   * a map is shown). A failed atlas leaves a message and the table.
   * @throws the abort of `signal`, when the view no longer wants the map
   */
  async update(mix: ReportMix, signal: AbortSignal): Promise<void> {
    const model = regionModel(mix);
    this.element.hidden = model === null;
    if (!model) return;
    const signature = JSON.stringify([model.area, model.rows, model.otherRegions]);
    if (signature !== this.signature) {
      this.signature = signature;
      this.showTable(model);
      this.showLegend(model);
    }
    try {
      if (this.map?.area !== model.area) {
        setText(this.status, "Loading the map…");
        const map = drawMap(model.area, await fetchAtlas(model.area, signal));
        signal.throwIfAborted();
        this.map?.element.remove();
        this.map = map;
        this.figure.prepend(map.element);
        map.element.setAttribute("aria-labelledby", this.caption.id);
      }
      setText(this.status, "");
      this.fill(this.map, model);
    } catch (error) {
      if (isAbort(error)) throw error;
      setText(this.status, `Map unavailable: ${error instanceof Error ? error.message : error}`);
    }
  }

  private fill(map: DrawnMap, model: RegionModel): void {
    const shown = new Map(model.rows.map((row) => [row.shapeId, row]));
    for (const [id, shape] of map.shapes) {
      const row = shown.get(id);
      shape.path.setAttribute(
        "class",
        row ? `region fill-${shadeOf(row.step, model.steps.length)}` : "region no-data",
      );
      // The same words for every region not shown, whether it had no report or a few.
      setText(
        shape.title,
        row
          ? `${shape.name}: ${formatCount(row.count)} reports (${percent(row.share)})`
          : `${shape.name}: no count shown`,
      );
    }
  }

  private showLegend(model: RegionModel): void {
    setText(
      this.caption,
      `Map of reports by ${regionNoun(model.area).one} ${this.span}: the darker, the more reports. The table gives the numbers.`,
    );
    replaceChildren(
      this.legend,
      ...model.steps.map((step, i) =>
        h(
          "li",
          {},
          h("span", {
            class: `swatch fill-${shadeOf(i, model.steps.length)}`,
            "aria-hidden": "true",
          }),
          step.from === step.to
            ? `${formatCount(step.from)} reports`
            : `${formatCount(step.from)}–${formatCount(step.to)} reports`,
        ),
      ),
      h(
        "li",
        {},
        h("span", { class: "swatch no-data", "aria-hidden": "true" }),
        `No count shown (fewer than ${REGION_MIN_REPORTS} reports, or none)`,
      ),
    );
  }

  private showTable(model: RegionModel): void {
    const noun = regionNoun(model.area);
    const captionId = `${this.caption.id}-table`;
    const row = (name: string, count: number, share: number, attributes = {}) =>
      h(
        "tr",
        attributes,
        h("th", { scope: "row" }, name),
        h("td", {}, formatCount(count)),
        h("td", {}, percent(share)),
      );
    const table = h(
      "table",
      {},
      h("caption", { id: captionId }, `Reports by ${noun.one} ${this.span}`),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, noun.one[0]?.toUpperCase() + noun.one.slice(1)),
          h("th", { scope: "col" }, "Reports"),
          h("th", { scope: "col" }, "Share"),
        ),
      ),
      h(
        "tbody",
        {},
        ...model.rows.map((r) => row(r.name, r.count, r.share, { "data-region": r.code })),
        row(
          `Other ${noun.many} (fewer than ${REGION_MIN_REPORTS} reports each)`,
          model.otherRegions,
          model.otherRegions / model.total,
          { class: "other-regions" },
        ),
      ),
    );
    // Focusable, so that a keyboard can scroll it when it is wider or taller than its box.
    replaceChildren(
      this.table,
      h(
        "div",
        { class: "table-wrap", tabindex: "0", role: "region", "aria-labelledby": captionId },
        table,
      ),
    );
  }
}
