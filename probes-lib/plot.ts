// The `plot` namespace cells use: plot.histogram, plot.heatmap, plot.line,
// plot.bar, plot.flame (one helper per file) and plot.vegaLite for a spec of
// your own. Each returns a Plot, which the notebook shows as a Vega-Lite chart
// with an SVG rendering beside it.

export { histogram, type HistogramOptions } from "./plot-histogram.js";
export { heatmap, type HeatmapOptions } from "./plot-heatmap.js";
export { line, type LineOptions } from "./plot-line.js";
export { bar, type BarOptions } from "./plot-bar.js";
export { flame, type FlameOptions } from "./plot-flame.js";
export { Plot, type PlotLayout, type VegaLiteSpec } from "./plot-object.js";
export type { PlotUnit } from "./plot-units.js";

import { Plot, type VegaLiteSpec } from "./plot-object.js";

/**
 * A plot from a Vega-Lite v5 spec of your own, shown like the helpers' plots
 * (interactive in JupyterLab, SVG everywhere else). Put the data inline
 * (`data: { values: rows }`): the kernel renders with no file or network
 * access, so `data.url` doesn't load.
 *
 * @param spec - a Vega-Lite v5 spec; start from another plot's `.spec` to adjust it.
 * @param summary - the text shown where charts can't be (default "Vega-Lite plot").
 * @returns a {@link Plot}.
 *
 * @example
 * ```ts
 * const t = aq.table({ comm: ["bash", "sshd"], count: [12, 7] });
 * const spec = plot.bar(t, { x: "comm", y: "count" }).spec;
 * plot.vegaLite({ ...spec, mark: { type: "bar", color: "firebrick" } })
 * ```
 */
export function vegaLite(spec: VegaLiteSpec, summary = "Vega-Lite plot"): Plot {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new TypeError("plot.vegaLite(spec): pass a Vega-Lite v5 spec object, e.g. { data: { values: rows }, mark: \"bar\", encoding: {...} }");
  }
  // A deep copy through JSON: the plot must not change when the cell changes its object later.
  let copy: VegaLiteSpec;
  try {
    copy = JSON.parse(JSON.stringify(spec)) as VegaLiteSpec;
  } catch (error) {
    throw new TypeError(`plot.vegaLite(spec): the spec must be plain JSON (${(error as Error).message}); convert BigInt values with Number() first`);
  }
  return new Plot(copy, String(summary));
}
