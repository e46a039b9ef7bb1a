// What the kernel answers when a cell's plot asks to be drawn: the SVG vega
// renders and a PNG of it. The plot's MIME bundle carries the Vega-Lite spec
// and the PNG (probes-lib/plot-object.ts), not the SVG, because:
// - nbconvert 6.5 (Debian's) prefers image/svg+xml to image/png and passes the
//   SVG through lxml's clean_html whether or not sanitising is on; lxml keeps
//   <svg> but drops every SVG element inside it (g, path, rect, text) and
//   every SVG attribute (viewBox, transform, d, fill), so the page shows an
//   empty box. An <img> of an SVG data: URL is blanked too; a PNG data: URL
//   is kept. No way of writing the SVG survives, so the SVG can't be in the
//   bundle at all.
// - JupyterLab and Notebook 7 still show the interactive Vega-Lite: their
//   Vega renderer ranks before images (it even adds its own image/png to
//   outputs that lack one, as Altair's bundles carry), and every other viewer
//   (GitHub, classic Notebook, nbconvert to HTML, LaTeX/PDF or Markdown)
//   shows the PNG.
// The SVG stays available to cells through plot.toSVG().

import { renderVegaLiteSvg } from "./render-svg.js";
import { svgToPng } from "./render-png.js";

/** A rendered plot: the SVG, and the PNG (base64) unless rasterising failed. */
export interface RenderedPlotImages {
  svg: string;
  /** base64 PNG of the SVG at its pixel size. */
  png?: string;
  /** Why there is no PNG (rsvg-convert missing, the plot too large, …). */
  pngError?: string;
}

/**
 * Renders a Vega-Lite v5 spec (JSON) to SVG with vega, then to PNG with
 * rsvg-convert. A PNG failure doesn't fail the plot: the SVG still serves
 * viewers that render it, and `pngError` says what went wrong.
 *
 * @throws PlotRenderError when the spec can't be rendered at all.
 *
 * @example
 * ```ts
 * const { svg, png } = await renderPlotImages(JSON.stringify(plot.bar(t, { x: "comm" }).spec));
 * ```
 */
export async function renderPlotImages(specJson: string): Promise<RenderedPlotImages> {
  const svg = await renderVegaLiteSvg(specJson);
  try {
    return { svg, png: (await svgToPng(svg)).toString("base64") };
  } catch (error) {
    return { svg, pngError: (error as Error).message };
  }
}
