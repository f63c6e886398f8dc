/**
 * One service's chart, drawn with uPlot in the spirit of Downdetector's: reports per
 * bucket as a line over a grey band of what is expected (baseline to the elevated
 * threshold), incidents shaded, points a source failed for hatched, and the peak labelled. Everything beyond uPlot's own
 * series is painted in its draw hooks on the same canvas, so the page needs no inline
 * styles (which its CSP forbids) and no extra DOM per point.
 */
import uPlot from "uplot";
import { type ChartModel, chartTime, PARTIAL_WORDS, peakLabel } from "./chart-model";
import { h, setAttr, setText } from "./dom";
import { formatCount } from "./format";

/** Colours; each meets 3:1 against white as a graphical object (WCAG 1.4.11). */
const COLORS = {
  count: "#c0282d",
  countFill: "rgba(192, 40, 45, 0.10)",
  baseline: "#5c5c5c",
  threshold: "#8a8a8a",
  band: "rgba(70, 100, 160, 0.16)",
  incident: "rgba(232, 140, 0, 0.20)",
  incidentEdge: "rgba(176, 96, 0, 0.9)",
  // Neutral, so a hatched point reads as "not all there" rather than as one more signal.
  partial: "rgba(70, 70, 70, 0.65)",
  axis: "#3d3d3d",
  grid: "#e6e6e6",
  label: "#1a1a1a",
};

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** Options of a {@link ServiceChart}. */
export interface ChartOptions {
  /** Plot height in CSS pixels. */
  height: number;
  /** Small (cards): no legend or cursor, a shorter peak label. */
  compact: boolean;
  /** Whether the summary sentence is shown under the chart (it is always announced). */
  showCaption: boolean;
}

let nextId = 0;

/**
 * A chart that keeps its uPlot instance across refreshes ({@link update} only swaps the
 * data), so a refresh costs a redraw, not a rebuild.
 * @example
 * const chart = new ServiceChart({ height: 120, compact: true, showCaption: false });
 * card.append(chart.element);
 * chart.update(chartModel(service.name, series, incidents));
 */
export class ServiceChart {
  /** The `<figure>` to place in the page. */
  readonly element: HTMLElement;
  private readonly plotBox: HTMLElement;
  private readonly caption: HTMLElement;
  private plot: uPlot | undefined;
  private model: ChartModel | undefined;
  private readonly observer: ResizeObserver;

  constructor(private readonly options: ChartOptions) {
    const captionId = `chart-caption-${++nextId}`;
    // role=img with the summary as its name: the canvas means nothing to a screen reader.
    this.plotBox = h("div", { class: "chart-plot", role: "img", "aria-labelledby": captionId });
    this.caption = h("figcaption", {
      id: captionId,
      class: options.showCaption ? "chart-caption" : "visually-hidden",
    });
    this.element = h("figure", { class: "chart" }, this.plotBox, this.caption);
    // Reserves the plot's room before the data arrives (uPlot adds the legend below).
    this.plotBox.style.minHeight = `${options.height}px`;
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(this.plotBox);
  }

  /** Shows new data (and a new summary); draws once the chart has a width. */
  update(model: ChartModel): void {
    this.model = model;
    setText(this.caption, model.summary);
    setAttr(this.element, "data-points", String(model.data[0].length));
    if (this.plot) this.plot.setData(model.data);
    else this.fit();
  }

  /** Stops observing the size and frees the canvas. */
  destroy(): void {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  private fit(): void {
    const width = Math.floor(this.plotBox.clientWidth);
    if (width <= 0 || !this.model) return;
    const size = { width, height: this.options.height };
    if (!this.plot) {
      this.plot = new uPlot(this.plotOptions(size), this.model.data, this.plotBox);
    } else if (this.plot.width !== width) {
      this.plot.setSize(size);
    }
  }

  private plotOptions(size: { width: number; height: number }): uPlot.Options {
    const small = this.options.compact;
    const model = () => this.model;
    return {
      ...size,
      // The legend's values follow the cursor; on cards neither fits.
      legend: { show: !small },
      cursor: small ? { show: false } : { drag: { x: false, y: false }, points: { size: 7 } },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, headroom(model(), max, small)] },
      },
      axes: [
        {
          stroke: COLORS.axis,
          grid: { stroke: COLORS.grid, width: 1 },
          ticks: { stroke: COLORS.grid },
          space: small ? 70 : 60,
        },
        {
          stroke: COLORS.axis,
          grid: { stroke: COLORS.grid, width: 1 },
          ticks: { stroke: COLORS.grid },
          // Wide enough for the longest label ("100K"), so it is never clipped.
          size: (_u, values) =>
            Math.max(32, 16 + 7.5 * Math.max(0, ...(values ?? []).map((v) => String(v).length))),
          space: small ? 30 : 40,
          values: (_u, splits) => splits.map((v) => compact.format(v)),
        },
      ],
      series: [
        {
          value: (_u, v) => {
            const current = model();
            return v == null || !current ? "--" : chartTime(current, v);
          },
        },
        {
          label: "Reports",
          stroke: COLORS.count,
          fill: COLORS.countFill,
          width: 2,
          spanGaps: false,
          points: { show: false },
          value: (_u, v, _series, index) => {
            if (v == null) return "no data";
            const current = model();
            const partial = current?.partial[index ?? -1] ? ` (${PARTIAL_WORDS})` : "";
            return `${formatCount(v)}${current?.per ?? ""}${partial}`;
          },
        },
        {
          label: "Baseline",
          stroke: COLORS.baseline,
          width: 1,
          dash: [4, 3],
          points: { show: false },
          value: (_u, v) => (v == null ? "--" : formatCount(v)),
        },
        {
          label: "Elevated above",
          stroke: COLORS.threshold,
          width: 1,
          dash: [1, 3],
          points: { show: false },
          value: (_u, v) => (v == null ? "--" : formatCount(v)),
        },
      ],
      hooks: {
        drawClear: [(u) => drawUnderlay(u, model())],
        draw: [(u) => drawPeak(u, model(), small)],
      },
    };
  }
}

/** Top of the y scale: room above the peak (and the band) for the peak's label. */
function headroom(model: ChartModel | undefined, dataMax: number | null, small: boolean): number {
  let max = dataMax ?? 0;
  for (const t of model?.data[3] ?? []) if (t !== null && t > max) max = t;
  return Math.max(5, max * (small ? 1.3 : 1.18));
}

/** The baseline band, the incident spans and the partial points, under the series. */
function drawUnderlay(u: uPlot, model: ChartModel | undefined): void {
  if (!model) return;
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();

  for (const span of model.spans) {
    const x0 = u.valToPos(span.from, "x", true);
    const x1 = u.valToPos(span.to, "x", true);
    ctx.fillStyle = COLORS.incident;
    ctx.fillRect(x0, bbox.top, Math.max(1, x1 - x0), bbox.height);
    ctx.fillStyle = COLORS.incidentEdge;
    ctx.fillRect(x0, bbox.top, Math.max(1, uPlot.pxRatio), bbox.height);
  }

  drawPartial(u, model);

  // The band runs from the baseline to the elevated threshold, or from zero to the
  // baseline when the API sends no threshold; it breaks where the baseline is unknown.
  const [xs, , baselines, thresholds] = model.data;
  ctx.fillStyle = COLORS.band;
  let run: number[] = [];
  const flush = () => {
    if (run.length > 1) {
      ctx.beginPath();
      for (const i of run) {
        const top = thresholds[i] ?? baselines[i] ?? 0;
        ctx.lineTo(u.valToPos(xs[i] ?? 0, "x", true), u.valToPos(top, "y", true));
      }
      for (const i of [...run].reverse()) {
        const bottom = thresholds[i] == null ? 0 : (baselines[i] ?? 0);
        ctx.lineTo(u.valToPos(xs[i] ?? 0, "x", true), u.valToPos(bottom, "y", true));
      }
      ctx.closePath();
      ctx.fill();
    }
    run = [];
  };
  baselines.forEach((b, i) => {
    if (b === null) flush();
    else run.push(i);
  });
  flush();
  ctx.restore();
}

/** Diagonal hatching over the width of each partial point, the plot's whole height. */
function drawPartial(u: uPlot, model: ChartModel): void {
  const { ctx, bbox } = u;
  const [xs] = model.data;
  const ratio = uPlot.pxRatio;
  const step = 6 * ratio;
  ctx.strokeStyle = COLORS.partial;
  ctx.lineWidth = ratio;
  model.partial.forEach((partial, i) => {
    const at = xs[i];
    if (!partial || at === undefined) return;
    const x0 = u.valToPos(at, "x", true);
    const x1 = Math.max(x0 + ratio, u.valToPos(at + model.bucketSeconds, "x", true));
    ctx.save();
    ctx.beginPath();
    ctx.rect(x0, bbox.top, x1 - x0, bbox.height);
    ctx.clip();
    ctx.beginPath();
    // Lines at 45 degrees, from far enough left that they cross the whole strip.
    for (let x = x0 - bbox.height; x < x1; x += step) {
      ctx.moveTo(x, bbox.top + bbox.height);
      ctx.lineTo(x + bbox.height, bbox.top);
    }
    ctx.stroke();
    ctx.restore();
  });
}

/** A dot on the peak and its count (and time, on large charts), kept inside the plot. */
function drawPeak(u: uPlot, model: ChartModel | undefined, small: boolean): void {
  const peak = model?.peak;
  if (!model || !peak || !model.peakNotable) return;
  const { ctx, bbox } = u;
  const ratio = uPlot.pxRatio;
  const x = u.valToPos(peak.at, "x", true);
  const y = u.valToPos(peak.count, "y", true);
  ctx.save();
  ctx.fillStyle = COLORS.count;
  ctx.beginPath();
  ctx.arc(x, y, 3.5 * ratio, 0, 2 * Math.PI);
  ctx.fill();

  const text = peakLabel(model, small);
  ctx.font = `600 ${12 * ratio}px system-ui, -apple-system, "Segoe UI", sans-serif`;
  const width = ctx.measureText(text).width;
  const pad = 3 * ratio;
  let left = x - width / 2;
  left = Math.min(Math.max(left, bbox.left + pad), bbox.left + bbox.width - width - pad);
  const baselineY = Math.max(y - 8 * ratio, bbox.top + 13 * ratio);
  // A light plate under the text keeps it readable over grid lines and the shading.
  ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
  ctx.fillRect(left - pad, baselineY - 12 * ratio, width + 2 * pad, 15 * ratio);
  ctx.fillStyle = COLORS.label;
  // uPlot leaves its axis alignment on the context.
  ctx.textAlign = "left";
  ctx.textBaseline = "alphabetic";
  ctx.fillText(text, left, baselineY);
  ctx.restore();
}
