// plot.bar() as text: the summary, then one row per bar, largest first, with
// the same '@' bars as histograms.

import type { PlotUnit } from "../../../probes-lib/plot-units.js";
import { barRows } from "./bar-rows.js";
import { readable } from "./fit.js";

/** What a bar chart's text needs: the bars in the order drawn. */
export interface BarText {
  summary: string;
  unit: PlotUnit;
  bars: { category: string; value: number }[];
}

/**
 * The bars laid out to `width` columns. Negative values are printed but get
 * no bar (bars grow from zero to the right).
 *
 * @example
 * ```ts
 * barText({ summary: "bar chart of count by comm: 2 bars", unit: "", bars: [{ category: "nginx", value: 30 }, { category: "bash", value: 10 }] }, 32)
 * // bar chart of count by comm: 2 bars
 * // nginx  30 |@@@@@@@@@@@@@@@@@@@@|
 * // bash   10 |@@@@@@              |
 * ```
 */
export function barText(b: BarText, width: number): string {
  const rows = b.bars.map((bar) => ({ label: bar.category, value: bar.value, shown: readable(bar.value, b.unit) }));
  return [b.summary, ...(rows.length > 0 ? barRows(rows, width) : ["(no bars)"])].join("\n");
}
