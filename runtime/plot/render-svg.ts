// Renders a Vega-Lite v5 spec to SVG on the host: vega-lite compiles it to a
// Vega spec, vega lays it out in a headless View (renderer "none") and writes
// the SVG. The spec comes from the sandbox, so it is untrusted, and the host
// runs as root:
// - vega's default expression evaluator turns every expression of the spec
//   (calculate, filter, signal updates, encodings, label expressions) into
//   JavaScript source and compiles it with `Function` in this process; one
//   hole in its code generator would run a cell's code outside the sandbox.
//   So the spec is parsed to expression ASTs ({ ast: true }) and evaluated by
//   vega-interpreter, which walks the AST, calls only vega's named functions
//   and refuses to hand out Function, eval and the timers. Nothing from the
//   spec is ever compiled.
// - vega gets a loader that refuses every URL and file (data must be inline).
// - specs are limited in size.

import * as vega from "vega";
import { expressionInterpreter } from "vega-interpreter";
import { compile, type TopLevelSpec } from "vega-lite";

/** Largest spec (JSON characters) the kernel renders; plots cap their rows far below this. */
export const MAX_SPEC_CHARS = 20_000_000;

/** Thrown for specs that can't be rendered; the message says what to change. */
export class PlotRenderError extends Error {
  override name = "PlotRenderError";
}

/**
 * A vega loader that loads nothing: rendering must never read the kernel's
 * files or the network. Vega logs failed loads and draws without the data, so
 * the loader also remembers what it refused, to fail the render.
 */
function refusingLoader(): { loader: vega.Loader; refused: () => string | undefined } {
  let refused: string | undefined;
  const refuse = (what: unknown) => {
    refused ??= typeof what === "string" ? what : JSON.stringify(what);
    return Promise.reject(new PlotRenderError("the kernel renders plots without file or network access"));
  };
  const loader = { load: refuse, sanitize: refuse, http: refuse, file: refuse } as unknown as vega.Loader;
  return { loader, refused: () => refused };
}

/**
 * Renders a Vega-Lite v5 spec (an object or its JSON) to an SVG document.
 *
 * @throws PlotRenderError when the spec is not JSON, too large, invalid for
 *   Vega-Lite, or refers to data by URL.
 *
 * @example
 * ```ts
 * const svg = await renderVegaLiteSvg({ data: { values: [{ a: "x", b: 1 }] }, mark: "bar",
 *   encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } } });
 * ```
 */
export async function renderVegaLiteSvg(spec: string | Record<string, unknown>): Promise<string> {
  let parsed: unknown = spec;
  if (typeof spec === "string") {
    if (spec.length > MAX_SPEC_CHARS) throw new PlotRenderError(`the plot's spec is ${spec.length} characters, over the ${MAX_SPEC_CHARS} the kernel renders: plot fewer rows (filter or aggregate the table first)`);
    try {
      parsed = JSON.parse(spec);
    } catch (error) {
      throw new PlotRenderError(`the plot's spec is not JSON: ${(error as Error).message}`);
    }
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new PlotRenderError("the plot's spec must be a Vega-Lite object");
  let vegaSpec: vega.Spec;
  try {
    vegaSpec = compile(parsed as TopLevelSpec).spec as vega.Spec;
  } catch (error) {
    throw new PlotRenderError(`compiling the Vega-Lite spec failed: ${(error as Error).message}`);
  }
  let view: vega.View | undefined;
  const { loader, refused } = refusingLoader();
  try {
    // ast: true keeps each expression's AST for the interpreter; without an
    // `expr` option the View would compile the generated code with Function.
    view = new vega.View(vega.parse(vegaSpec, undefined, { ast: true }), { renderer: "none", loader, logLevel: vega.None, expr: expressionInterpreter });
    const svg = await view.toSVG();
    const url = refused();
    if (url !== undefined) {
      throw new PlotRenderError(`the plot asks to load ${JSON.stringify(url)}; the kernel renders plots without file or network access: put the data in the spec (data: { values: rows })`);
    }
    return svg;
  } catch (error) {
    if (error instanceof PlotRenderError) throw error;
    throw new PlotRenderError(`rendering the plot with vega failed: ${(error as Error).message}`);
  } finally {
    view?.finalize();
  }
}
