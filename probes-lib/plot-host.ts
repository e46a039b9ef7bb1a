// The one door from plots to an SVG renderer. Inside the notebook sandbox the
// prelude installs one that asks the kernel (vega runs on the host, not in the
// sandbox); outside it, plots still build their Vega-Lite spec but carry no SVG.

/** Renders a Vega-Lite v5 spec (as JSON) to an SVG document, synchronously. */
export type PlotRenderer = (specJson: string) => string;

let installed: PlotRenderer | undefined;

/**
 * Installs the renderer that plots use for their `image/svg+xml` (or removes
 * it with `undefined`). The notebook sandbox does this once at start-up.
 *
 * @example
 * ```ts
 * setPlotRenderer((json) => hostRenderSvg(json));
 * ```
 */
export function setPlotRenderer(renderer: PlotRenderer | undefined): void {
  installed = renderer;
}

/**
 * The installed renderer, if any.
 *
 * @example
 * ```ts
 * const svg = plotRenderer()?.(JSON.stringify(spec));
 * ```
 */
export function plotRenderer(): PlotRenderer | undefined {
  return installed;
}
