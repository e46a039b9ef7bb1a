// Small pieces every text rendering uses: cutting a label to a width, and
// numbers as they read in a terminal.

import { formatValue, type PlotUnit } from "../../../probes-lib/plot-units.js";

/**
 * `text` cut to at most `width` characters, with "…" where it was cut.
 *
 * @example
 * ```ts
 * cut("vfs_read_iter", 8) // "vfs_rea…"
 * ```
 */
export function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, Math.max(0, width));
  return `${text.slice(0, width - 1)}…`;
}

/**
 * A value for a chart's labels: plain digits for whole counts (as bpftrace
 * prints them), else scaled with its unit ("1.5ms", "1.5K").
 *
 * @example
 * ```ts
 * [readable(12345, ""), readable(1500000, "ns"), readable(0.25, "")] // ["12345", "1.5ms", "0.25"]
 * ```
 */
export function readable(value: number, unit: PlotUnit): string {
  if (unit === "" && Number.isInteger(value)) return String(value);
  return formatValue(value, unit);
}
