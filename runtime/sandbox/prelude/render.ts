// Turns a cell's value into a Jupyter MIME bundle, inside the sandbox (so the
// value never has to cross to the host; only the bundle's JSON does).

import { ColumnTable } from "arquero";
import { inspect } from "./inspect.js";
import { tableBundle } from "./render-table.js";

export type MimeBundle = Record<string, unknown>;

/**
 * The bundle for `value`:
 * - an object with `_repr_mimebundle_()` gives its own bundle (text/plain is
 *   added when it leaves it out);
 * - an arquero table gives text/html (first rows and a caption) and text/plain;
 * - anything else gives text/plain, as a REPL would print it.
 */
export function mimeBundle(value: unknown): MimeBundle {
  if (value !== null && typeof value === "object") {
    const repr = (value as { _repr_mimebundle_?: unknown })._repr_mimebundle_;
    if (typeof repr === "function") {
      const bundle = repr.call(value) as unknown;
      if (bundle === null || typeof bundle !== "object") {
        throw new TypeError(`_repr_mimebundle_() must return an object of MIME type -> data, not ${inspect(bundle)}`);
      }
      return { "text/plain": inspect(value), ...(bundle as MimeBundle) };
    }
    if (value instanceof ColumnTable) return tableBundle(value);
  }
  return { "text/plain": inspect(value) };
}
