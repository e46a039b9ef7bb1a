// What every plot helper returns: a Vega-Lite v5 spec with its data inline, a
// line of text saying what is drawn (and what was left out), the plot drawn
// as text for terminals (runtime/plot/text/: its text/plain), and, in the
// notebook, a picture the kernel renders: an SVG drawn by vega and a PNG of
// it. The notebook shows it through _repr_mimebundle_(): the spec (interactive
// in JupyterLab) and the PNG, so a saved notebook keeps a picture that any
// viewer, nbconvert's HTML included, shows without JavaScript. The SVG is not
// in the bundle because nbconvert 6.5 would pick it over the PNG and blank it
// (runtime/plot/render-plot.ts says how); cells get it from toSVG().

import { plotRenderer, textWidth, type RenderedPlot } from "./plot-host.js";

/** Draws a plot as text, `width` columns wide (runtime/plot/text/). */
export type PlotText = (width: number) => string;

/** A Vega-Lite v5 specification (plain JSON). */
export type VegaLiteSpec = Record<string, unknown>;

/** The MIME type of Vega-Lite v5 specs, as JupyterLab's renderer expects. */
export const VEGALITE_MIME = "application/vnd.vegalite.v5+json";
export const VEGALITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Options every plot helper takes. */
export interface PlotLayout {
  /** A title above the plot. */
  title?: string;
  /** Width of the plotting area in pixels. */
  width?: number;
  /** Height of the plotting area in pixels. */
  height?: number;
}

/** A finished plot. Made by the `plot.*` helpers; shown when it is a cell's value or passed to `display()`. */
export class Plot {
  readonly #spec: VegaLiteSpec;
  readonly #summary: string;
  readonly #text: PlotText | undefined;
  #picture: RenderedPlot | undefined;

  /** @internal use the `plot.*` helpers */
  constructor(spec: VegaLiteSpec, summary: string, text?: PlotText) {
    this.#spec = { $schema: VEGALITE_SCHEMA, ...spec };
    this.#summary = summary;
    this.#text = text;
  }

  /**
   * The Vega-Lite v5 spec, data inline: paste it into the Vega editor, or
   * change it and show it with `plot.vegaLite(spec)`.
   *
   * @example
   * ```ts
   * const t = await syscall("read").count().by("comm").run({ for: "1s" });
   * const p = plot.bar(t, { x: "comm", y: "count" });
   * p.spec.mark  // { type: "bar", ... }
   * ```
   */
  get spec(): VegaLiteSpec {
    return JSON.parse(JSON.stringify(this.#spec)) as VegaLiteSpec; // a copy (the sandbox has no structuredClone): the spec is JSON
  }

  /**
   * One line saying what the plot shows, and what was left out to keep it small.
   *
   * @example
   * ```ts
   * const t = aq.table({ time_ns: [0, 1e9, 2e9], count: [3, 5, 4] });
   * plot.line(t, { x: "time_ns", y: "count" }).summary
   * // "line plot of count by time_ns: 3 points"
   * ```
   */
  get summary(): string {
    return this.#summary;
  }

  /**
   * The plot drawn as text for a terminal, `width` columns wide (default: the
   * kernel's terminal width, COLUMNS, else 80): the summary, then the chart
   * (histograms and bars as bpftrace-style '@' rows, lines as sparklines,
   * heatmaps as shaded cells, flame graphs as a call tree). It is the
   * plot's text/plain, what `jupyter console` shows.
   *
   * @example
   * ```ts
   * const lat = await syscall("read").latency().histogram({ for: "2s" });
   * console.log(plot.histogram(lat).text(60))
   * // log2 histogram of latency: 200 counted in 2 buckets, 512us to 1ms (1us = 1024ns)
   * // [512us, 1ms)     2 |                                     |
   * // [1ms, 2ms)     198 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
   * ```
   */
  text(width: number = textWidth()): string {
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`plot.text(width): width must be a whole number of columns, not ${String(width)}`);
    return this.#text ? this.#text(width) : this.#summary;
  }

  /**
   * The plot as an SVG document, rendered by the kernel with vega (a saved
   * notebook keeps a PNG of this picture).
   *
   * @throws Error outside a probebook kernel, where there is no renderer.
   *
   * @example
   * ```ts
   * const lat = await syscall("read").latency().histogram({ for: "2s" });
   * const svg = plot.histogram(lat).toSVG();
   * svg.length
   * ```
   */
  toSVG(): string {
    return this.#render().svg;
  }

  /**
   * The notebook's view of the plot: the Vega-Lite spec (interactive in
   * JupyterLab), a PNG of the kernel's SVG (for every other viewer, and
   * nbconvert's HTML) and the plot drawn as text (see {@link Plot.text}). When the kernel could not make
   * a PNG (no rsvg-convert, a huge plot) the SVG stands in for it.
   *
   * @example
   * ```ts
   * const t = aq.table({ comm: ["bash", "sshd", "bash"] });
   * Object.keys(plot.bar(t, { x: "comm" })._repr_mimebundle_())
   * // ["application/vnd.vegalite.v5+json", "image/png", "text/plain"]
   * ```
   */
  _repr_mimebundle_(): Record<string, unknown> {
    const bundle: Record<string, unknown> = { [VEGALITE_MIME]: this.#spec };
    if (plotRenderer()) {
      const picture = this.#render();
      if (picture.png !== undefined) bundle["image/png"] = picture.png;
      else bundle["image/svg+xml"] = picture.svg;
    }
    bundle["text/plain"] = this.text();
    return bundle;
  }

  /** The kernel's rendering of the spec, asked for once. */
  #render(): RenderedPlot {
    if (this.#picture === undefined) {
      const render = plotRenderer();
      if (!render) throw new Error("this plot can't be rendered to SVG here: no renderer is installed (inside a probebook notebook the kernel renders plots)");
      const picture = render(JSON.stringify(this.#spec));
      this.#picture = typeof picture === "string" ? { svg: picture } : picture;
    }
    return this.#picture;
  }

  /** How console.log and the REPL print a plot: as text. */
  [Symbol.for("probebook.inspect")](): string {
    return this.text();
  }
}
