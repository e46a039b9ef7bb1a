// What every plot helper returns: a Vega-Lite v5 spec with its data inline, a
// line of text saying what is drawn (and what was left out), and, in the
// notebook, an SVG rendered by the kernel with vega. The notebook shows it
// through _repr_mimebundle_(), so a saved notebook keeps a picture that any
// viewer (and nbconvert's HTML) can show without JavaScript.

import { plotRenderer } from "./plot-host.js";

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
  #svg: string | undefined;

  /** @internal use the `plot.*` helpers */
  constructor(spec: VegaLiteSpec, summary: string) {
    this.#spec = { $schema: VEGALITE_SCHEMA, ...spec };
    this.#summary = summary;
  }

  /**
   * The Vega-Lite v5 spec, data inline: paste it into the Vega editor, or
   * change it and show it with `plot.vegaLite(spec)`.
   *
   * @example
   * ```ts
   * const p = plot.bar(t, { x: "comm", y: "count" });
   * p.spec.mark  // { type: "bar", ... }
   * ```
   */
  get spec(): VegaLiteSpec {
    return structuredClone(this.#spec);
  }

  /**
   * One line saying what the plot shows, and what was left out to keep it small.
   *
   * @example
   * ```ts
   * plot.line(t, { x: "time_ns", y: "count" }).summary
   * // "line plot of count by time (120 points, 3 series)"
   * ```
   */
  get summary(): string {
    return this.#summary;
  }

  /**
   * The plot as an SVG document, rendered by the kernel with vega (the same
   * picture a saved notebook keeps).
   *
   * @throws Error outside a probebook kernel, where there is no renderer.
   *
   * @example
   * ```ts
   * const svg = plot.histogram(lat).toSVG();
   * svg.length
   * ```
   */
  toSVG(): string {
    if (this.#svg === undefined) {
      const render = plotRenderer();
      if (!render) throw new Error("this plot can't be rendered to SVG here: no renderer is installed (inside a probebook notebook the kernel renders plots)");
      this.#svg = render(JSON.stringify(this.#spec));
    }
    return this.#svg;
  }

  /**
   * The notebook's view of the plot: the Vega-Lite spec (interactive in
   * JupyterLab), the SVG (for every other viewer) and the summary as text.
   *
   * @example
   * ```ts
   * Object.keys(plot.bar(t, { x: "comm" })._repr_mimebundle_())
   * // ["application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]
   * ```
   */
  _repr_mimebundle_(): Record<string, unknown> {
    const bundle: Record<string, unknown> = { [VEGALITE_MIME]: this.#spec };
    if (plotRenderer()) bundle["image/svg+xml"] = this.toSVG();
    bundle["text/plain"] = this.#summary;
    return bundle;
  }

  /** How console.log and the REPL print a plot: its summary. */
  [Symbol.for("probebook.inspect")](): string {
    return this.#summary;
  }
}
