// The text of an x value under a chart: a time of day for dates (UTC, as
// tables show them), else the value with its unit.

import type { PlotUnit } from "../../../probes-lib/plot-units.js";
import { readable } from "./fit.js";

/** How an x axis reads its values (the plot's AxisValues). */
export interface TextAxis {
  type: "temporal" | "quantitative";
  unit: PlotUnit;
}

/**
 * One x value as text.
 *
 * @example
 * ```ts
 * xLabel(Date.UTC(2024, 0, 1, 12, 0, 7, 250), { type: "temporal", unit: "" }) // "12:00:07.250"
 * xLabel(2.5, { type: "quantitative", unit: "s" })                             // "2.5s"
 * ```
 */
export function xLabel(x: number, axis: TextAxis): string {
  if (axis.type === "temporal") return new Date(x).toISOString().slice(11, 23);
  return readable(x, axis.unit);
}
