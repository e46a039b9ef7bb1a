// plot.histogram() as text: the summary, then bpftrace's rows, one per bucket
// from the first to the last that counted something (empty ones between them
// kept, so the shape is true), one block per group.

import type { PlotUnit } from "../../../probes-lib/plot-units.js";
import { barRows } from "./bar-rows.js";
import { bucketLabel } from "./bucket-label.js";

/** What a histogram's text needs. */
export interface HistogramText {
  /** The plot's summary line. */
  summary: string;
  unit: PlotUnit;
  /** Log2 buckets (bounds in powers of 1024) or linear ones. */
  log: boolean;
  /** The key of the groups, if there are several histograms. */
  by?: string;
  groups: { name: string; buckets: { low: number; high?: number; count: number }[] }[];
}

/**
 * The histogram's rows, laid out to `width` columns.
 *
 * @example
 * ```ts
 * histogramText({ summary: "log2 histogram of bytes: 3 counted", unit: "bytes", log: true,
 *   groups: [{ name: "", buckets: [{ low: 1024, high: 2048, count: 2 }, { low: 2048, high: 4096, count: 1 }] }] }, 40)
 * // log2 histogram of bytes: 3 counted
 * // [1K, 2K)  2 |@@@@@@@@@@@@@@@@@@@@@@@@@@|
 * // [2K, 4K)  1 |@@@@@@@@@@@@@             |
 * ```
 */
export function histogramText(h: HistogramText, width: number): string {
  const lines = [h.summary];
  for (const group of h.groups) {
    const counted = group.buckets.map((b) => b.count > 0);
    const first = counted.indexOf(true);
    const last = counted.lastIndexOf(true);
    if (h.by !== undefined) lines.push("", `${h.by} = ${group.name}:`);
    if (first < 0) {
      lines.push("(nothing counted)");
      continue;
    }
    const shown = group.buckets.slice(first, last + 1);
    lines.push(...barRows(shown.map((b, i) => {
      // A bucket without an upper bound ends where the next one starts.
      const high = b.high ?? group.buckets[first + i + 1]?.low;
      return { label: bucketLabel(b.low, high, h.unit, h.log), value: b.count };
    }), width));
  }
  if (h.groups.length === 0) lines.push("(nothing counted)");
  return lines.join("\n");
}
