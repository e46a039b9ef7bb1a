// The one door from plots to a renderer. Inside the notebook sandbox the
// prelude installs one that asks the kernel (vega and rsvg-convert run on the
// host, not in the sandbox); outside it, plots still build their Vega-Lite
// spec but carry no picture. The same door says how wide a plot's text may
// be: the kernel's terminal width, else 80 columns.

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
 */
export function setPlotRenderer(renderer: PlotRenderer | undefined): void {
  installed = renderer;
}

/**
 * The installed renderer, if any.
 */
export function plotRenderer(): PlotRenderer | undefined {
  return installed;
}

let widthOf: (() => number) | undefined;

/**
 * Installs how plots learn the width of their text rendering (the kernel's
 * COLUMNS); without one, text is 80 columns wide.
 */
export function setTextWidth(width: (() => number) | undefined): void {
  widthOf = width;
}

/**
 * The columns a plot's text may use.
 */
export function textWidth(): number {
  return widthOf?.() ?? 80;
}
