// The one door from plots to a renderer. Inside the notebook sandbox the
// prelude installs one that asks the kernel (vega and rsvg-convert run on the
// host, not in the sandbox); outside it, plots still build their Vega-Lite
// spec but carry no picture.

/** What a renderer gives for a spec: the SVG vega drew and, when it could be made, a PNG of it (base64). */
export interface RenderedPlot {
  svg: string;
  png?: string;
}

/**
 * Renders a Vega-Lite v5 spec (as JSON), synchronously. A plain string is an
 * SVG with no PNG.
 */
export type PlotRenderer = (specJson: string) => RenderedPlot | string;

let installed: PlotRenderer | undefined;

/**
 * Installs the renderer that plots use for their picture (or removes it with
 * `undefined`). The notebook sandbox does this once at start-up.
 *
 * @example
 * ```ts
 * setPlotRenderer((json) => hostRenderPlot(json));  // { svg, png }
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
 * const picture = plotRenderer()?.(JSON.stringify(spec));
 * ```
 */
export function plotRenderer(): PlotRenderer | undefined {
  return installed;
}
