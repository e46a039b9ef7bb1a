// plot.bar(): one bar per category, largest first: the top-N view of a
// count by key (syscalls by process, opens by file name). Rows with the same
// category are summed; without a y column, rows are counted.

import type { ColumnTable } from "arquero";
import { columnValues, formatCount, wholeCountAxis, labelOf, numericValues, requireColumn, requireTable } from "./plot-data.js";
import { withTitle } from "./plot-meta.js";
import { Plot, type PlotLayout } from "./plot-object.js";
import { unitOfColumn } from "./plot-units.js";
import { barText } from "../runtime/plot/text/bar-text.js";

/** Options of {@link bar}. */
export interface BarOptions extends PlotLayout {
  /** The category column, e.g. `"comm"` or `"filename"`. */
  x: string;
  /** The value column (summed per category); without it, rows are counted. */
  y?: string;
  /** Bars drawn, largest first (default 30); the summary says how many were left out. */
  top?: number;
  /** Bars along the y axis, labels on the left (default: when labels are long or bars many). */
  horizontal?: boolean;
}

/** Default number of bars drawn. */
export const DEFAULT_TOP = 30;
const MAX_TOP = 1000;

/**
 * A bar chart of a value per category, largest first: the top-N view. Rows
 * with the same category are summed; without `y`, rows are counted (so an
 * events table plots as events per category).
 *
 * @param table - an arquero table.
 * @param options - `{ x }` the category column, `{ y }` the value, `{ top }` how many bars.
 * @returns a {@link Plot}.
 *
 * @example
 * ```ts
 * // the 10 files opened most often
 * plot.bar(opens, { x: "filename", top: 10 })
 * const counts = await syscall("openat").count().by("comm").run({ for: "5s" });
 * plot.bar(counts, { x: "comm", y: "count" })
 * ```
 */
export function bar(table: ColumnTable, options: BarOptions): Plot {
  const at = "plot.bar(table, { x, y })";
  const t = requireTable(table, at);
  options = withTitle(t, options);
  if (options === null || typeof options !== "object") throw new TypeError(`${at}: say which column holds the categories, e.g. plot.bar(t, { x: "comm", y: "count" })`);
  const xName = requireColumn(t, options.x, at, "x");
  const yName = options.y === undefined ? undefined : requireColumn(t, options.y, at, "y");
  const top = options.top ?? DEFAULT_TOP;
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) throw new RangeError(`${at}: top must be a whole number from 1 to ${MAX_TOP}, not ${String(top)}`);

  const categories = columnValues(t, xName).map(labelOf);
  const values = yName ? numericValues(t, yName, at) : undefined;
  const sums = new Map<string, number>();
  categories.forEach((c, i) => sums.set(c, (sums.get(c) ?? 0) + (values ? values[i]! || 0 : 1)));
  const ranked = [...sums.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = ranked.slice(0, top);
  const valueTitle = yName ?? "rows";
  const horizontal = options.horizontal ?? (shown.length > 12 || shown.some(([c]) => c.length > 8));
  const category = { field: "category", type: "nominal", title: xName, sort: shown.map(([c]) => c), axis: { labelLimit: 360, ...(horizontal ? {} : { labelAngle: shown.length > 6 ? -45 : 0 }) } };
  const value = { field: "value", type: "quantitative", title: valueTitle, ...(yName ? {} : { axis: wholeCountAxis(shown[0]?.[1] ?? 0) }) };
  const spec = {
    ...(options.title ? { title: options.title } : {}),
    data: { values: shown.map(([c, v]) => ({ category: c, value: v })) },
    mark: { type: "bar", color: "#4c78a8", tooltip: true },
    encoding: horizontal ? { y: category, x: value } : { x: category, y: value },
    width: options.width ?? (horizontal ? 480 : Math.max(200, Math.min(800, shown.length * 32))),
    height: options.height ?? (horizontal ? Math.max(60, shown.length * 20) : 260),
  };
  let summary = `bar chart of ${valueTitle} by ${xName}: ${shown.length} bar${shown.length === 1 ? "" : "s"}`;
  if (shown.length > 0) summary += `, largest ${shown[0]![0]} (${formatCount(shown[0]![1])})`;
  if (ranked.length > shown.length) summary += `; top ${shown.length} of ${formatCount(ranked.length)} categories drawn (set { top } to see more)`;
  const text = { summary, unit: yName ? unitOfColumn(yName) : ("" as const), bars: shown.map(([category, v]) => ({ category, value: v })) };
  return new Plot(spec, summary, (width) => barText(text, width));
}
