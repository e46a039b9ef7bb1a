// display() and clear_output() for cells, like IPython's.

import { hostClearOutput, hostDisplay } from "./host-bridge.js";
import { mimeBundle } from "./render.js";

/** Options of {@link display}. */
export interface DisplayOptions {
  /** Names this output so it can be replaced later with `handle.update(value)`. */
  id?: string;
}

/** Returned by {@link display} when an `id` was given. */
export interface DisplayHandle {
  readonly id: string;
  /**
   * Replaces the output shown under this id.
   *
   * @example
   * ```ts
   * const status = display("counting…", { id: "status" });
   * status?.update(await syscall("read").count({ for: "1s" }));
   * ```
   */
  update(value: unknown): void;
}

/**
 * Shows a value in the cell's output now, the way a cell's last value would
 * be shown (tables as HTML, everything else as text).
 *
 * @param value - anything; arquero tables and objects with `_repr_mimebundle_()` render richly.
 * @param options - `{ id }` to update the same output later.
 *
 * @example
 * ```ts
 * display(aq.table({ x: [1, 2, 3] }));
 * const progress = display("starting…", { id: "progress" });
 * progress?.update("done");
 * ```
 */
export function display(value: unknown, options: DisplayOptions = {}): DisplayHandle | undefined {
  hostDisplay(mimeBundle(value), options.id, false);
  if (options.id === undefined) return undefined;
  const id = options.id;
  return { id, update: (next: unknown) => hostDisplay(mimeBundle(next), id, true) };
}

/**
 * Clears the cell's output.
 *
 * @param wait - when true, the output is cleared only when new output arrives (no flicker).
 *
 * @example
 * ```ts
 * const latest = await syscall("read").count().by("comm").run({ for: "1s" });
 * clear_output(true);
 * display(latest);
 * ```
 */
export function clear_output(wait = false): void {
  hostClearOutput(Boolean(wait));
}

/**
 * Same as {@link clear_output}.
 *
 * @example
 * ```ts
 * clearOutput();
 * ```
 */
export const clearOutput = clear_output;
