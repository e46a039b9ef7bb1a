// Rows of labelled bars, bpftrace's way: the label, the count, and a bar of
// '@' between pipes, as long as the count's share of the largest (rounded
// down, as bpftrace does, so a count far below the largest has no '@').
// Histograms and bar charts are both drawn with these rows.

import { cut } from "./fit.js";

/** One row: its label and its value (a count, or a bar's sum). */
export interface BarRow {
  label: string;
  value: number;
  /** The value as printed (default: its digits). */
  shown?: string;
}

/** Bars are never shorter than this; labels are cut first. */
const MIN_BAR = 10;
/** Labels keep at least this much when cut. */
const MIN_LABEL = 6;

/**
 * The rows laid out to `width` columns: the bar takes what the label and the
 * count leave (bars are scaled to the largest value of `rows`, or to `max`
 * when rows of several groups must compare).
 *
 * @example
 * ```ts
 * barRows([{ label: "[1K, 2K)", value: 4 }, { label: "[2K, 4K)", value: 2 }], 30)
 * // ["[1K, 2K)  4 |@@@@@@@@@@@@@@|",
 * //  "[2K, 4K)  2 |@@@@@@@       |"]
 * ```
 */
export function barRows(rows: readonly BarRow[], width: number, max?: number): string[] {
  if (rows.length === 0) return [];
  const counts = rows.map((r) => r.shown ?? String(r.value));
  const countWidth = Math.max(...counts.map((c) => c.length));
  // label, two spaces, count, " |", bar, "|"
  const room = width - countWidth - 5;
  const longest = Math.max(...rows.map((r) => r.label.length));
  const labelWidth = Math.min(longest, Math.max(MIN_LABEL, room - MIN_BAR));
  const barWidth = Math.max(MIN_BAR, room - labelWidth);
  const top = max ?? Math.max(...rows.map((r) => r.value));
  return rows.map((row, i) => {
    const filled = top > 0 && row.value > 0 ? Math.min(barWidth, Math.floor((row.value / top) * barWidth)) : 0;
    return `${cut(row.label, labelWidth).padEnd(labelWidth)}  ${counts[i]!.padStart(countWidth)} |${"@".repeat(filled).padEnd(barWidth)}|`;
  });
}
