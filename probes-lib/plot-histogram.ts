// plot.histogram(): bars per bucket. Reads a histogram table (bucket bounds
// and counts, as an in-kernel histogram returns: keys..., lower, upper, count)
// or buckets a raw value column itself. Log buckets get a log2-aware axis:
// bars in order of size, labelled 1us, 2us, 4us ... or 1K, 2K, 4K ..., with
// the empty buckets in between kept so the shape is true.

import type { ColumnTable } from "arquero";
import { linearBins, logBucket, logScale, logSlot, scaleFromBounds, type Bucket } from "./plot-buckets.js";
import { columnValues, findColumn, formatCount, wholeCountAxis, labelOf, numericValues, requireColumn, requireTable } from "./plot-data.js";
import { measuredOf, withTitle } from "./plot-meta.js";
import { Plot, type PlotLayout } from "./plot-object.js";
import { log2Note, unitOfColumn, type PlotUnit } from "./plot-units.js";
import { histogramText } from "../runtime/plot/text/histogram-text.js";

/** Options of {@link histogram}. */
export interface HistogramOptions extends PlotLayout {
  /** A raw value column to bucket (e.g. `"latency_ns"`); without it the table must hold buckets. */
  value?: string;
  /** Bucket lower bound column (default: the first of lower, low, bucket_low, bucket). */
  low?: string;
  /** Bucket upper bound column (default: upper, high or bucket_high, if present). */
  high?: string;
  /** Count column of a bucket table (default: count). */
  count?: string;
  /** One histogram per value of this column (small multiples), e.g. `"comm"`. */
  by?: string;
  /** For a raw value column: `"log2"` (default) or a number of equal-width buckets. */
  bins?: "log2" | number;
  /** Unit of the values, for axis labels (default: from the probe, or the column name: `*_ns` → "ns"). */
  unit?: PlotUnit;
}

/** Histograms drawn at most, largest first, when `by` has more values. */
export const MAX_HISTOGRAM_GROUPS = 12;

const LOW_NAMES = ["lower", "low", "bucket_low", "bucket"] as const;
const HIGH_NAMES = ["upper", "high", "bucket_high"] as const;
/** Columns of a time series that are not keys. */
const SERIES_COLUMNS = ["interval", "time", "time_ns"];

interface Histogram {
  buckets: Bucket[];
  /** group -> bucket label -> count */
  counts: Map<string, Map<string, number>>;
  unit: PlotUnit;
  valueName: string;
  log: boolean;
  tickLabels?: string[];
  by?: string;
  /** Key columns that were summed over (a bucket table with several keys and no `by`). */
  summedOver: string[];
}

/**
 * A histogram. Give it a histogram table (bucket bounds and counts: columns
 * `lower`, `upper`, `count` and maybe a key, as an in-kernel histogram
 * returns) or a raw value column to bucket with `{ value }`. Log buckets get
 * one bar per bucket in order of size, empty ones included, labelled 1us,
 * 2us, 4us (times) or 1K, 2K (sizes and counts).
 *
 * @param table - an arquero table.
 * @param options - `{ value }` for raw values, `{ by }` for one histogram per key, `{ unit }`, `{ bins }`.
 * @returns a {@link Plot}: a cell shows it as a chart (Vega-Lite and SVG).
 *
 * @example
 * ```ts
 * const lat = await syscall("read").latency().by("comm").histogram({ for: "10s" });
 * plot.histogram(lat)
 * // bucket the raw values of an events table
 * const reads = await syscall("read").fields("count").events({ for: "5s" });
 * plot.histogram(reads, { value: "count", by: "comm" })
 * const slow = await syscall("read").latency().events({ over: "10us", for: "5s" });
 * plot.histogram(slow, { value: "latency_ns", bins: 40 })
 * ```
 */
export function histogram(table: ColumnTable, options: HistogramOptions = {}): Plot {
  const at = "plot.histogram(table, ...)";
  const t = requireTable(table, at);
  options = withTitle(t, options);
  if (options === null || typeof options !== "object") throw new TypeError(`${at}: options must be an object such as { value: "latency_ns" }`);
  const bucketTable = options.value === undefined && findColumn(t, options.low ? [options.low] : LOW_NAMES) !== undefined;
  return draw(bucketTable ? fromBuckets(t, options, at) : fromValues(t, options, at), options);
}

function fromValues(t: ColumnTable, options: HistogramOptions, at: string): Histogram {
  const valueName = requireColumn(t, options.value ?? onlyNumericColumn(t, at), at, "value");
  const unit = options.unit ?? unitOfColumn(valueName);
  const groups = groupKeys(t, options.by, at);
  const bins = options.bins ?? "log2";
  const counts = new Map<string, Map<string, number>>();
  const add = (group: string, label: string) => {
    const g = counts.get(group) ?? new Map<string, number>();
    counts.set(group, g);
    g.set(label, (g.get(label) ?? 0) + 1);
  };
  if (bins === "log2") {
    const raw = columnValues(t, valueName);
    const slots = raw.map((v) => (typeof v === "number" || typeof v === "bigint" ? logSlot(v) : undefined));
    const present = slots.filter((s): s is number => s !== undefined);
    const scale = logScale(Math.min(...present), Math.max(...present), 1, unit);
    slots.forEach((slot, row) => {
      if (slot !== undefined) add(groups[row]!, logBucket(slot, 1, unit).label);
    });
    return { buckets: present.length > 0 ? scale.buckets : [], counts, unit, valueName, log: true, by: options.by, summedOver: [] };
  }
  if (!Number.isInteger(bins) || bins < 1 || bins > 500) throw new RangeError(`${at}: bins must be "log2" or a whole number of buckets from 1 to 500, not ${String(bins)}`);
  const values = numericValues(t, valueName, at);
  const finite = values.filter(Number.isFinite);
  const linear = linearBins(Math.min(...finite), Math.max(...finite), bins, unit);
  values.forEach((v, row) => {
    if (Number.isFinite(v)) add(groups[row]!, linear.buckets[linear.indexOf(v)]!.label);
  });
  return { buckets: finite.length > 0 ? linear.buckets : [], counts, unit, valueName, log: false, by: options.by, summedOver: [] };
}

function fromBuckets(t: ColumnTable, options: HistogramOptions, at: string): Histogram {
  const lowName = requireColumn(t, options.low ?? findColumn(t, LOW_NAMES), at, "low");
  const highName = options.high ?? findColumn(t, HIGH_NAMES);
  if (highName !== undefined) requireColumn(t, highName, at, "high");
  const countName = options.count ?? findColumn(t, ["count"]);
  if (countName === undefined) {
    throw new RangeError(`${at}: this looks like a bucket table (column "${lowName}") but has no "count" column; name it with { count: "..." }, or bucket raw values with { value: "..." }. Columns: ${t.columnNames().join(", ")}`);
  }
  requireColumn(t, countName, at, "count");
  // A bucket table's other column, if there is exactly one, is its key (e.g. comm).
  const keys = t.columnNames().filter((n) => n !== lowName && n !== highName && n !== countName && !SERIES_COLUMNS.includes(n));
  const by = options.by ?? (keys.length === 1 ? keys[0] : undefined);
  const groups = groupKeys(t, by, at);
  const measured = measuredOf(t);
  const unit = options.unit ?? measured.unit ?? unitOfColumn(lowName);
  const lows = numericValues(t, lowName, at);
  const highs = highName ? numericValues(t, highName, at) : undefined;
  const counts = numericValues(t, countName, at);
  const scale = scaleFromBounds(lows, highs, unit);
  const cells = new Map<string, Map<string, number>>();
  lows.forEach((low, row) => {
    const label = scale.bucketOf(low, highs?.[row]).label;
    const g = cells.get(groups[row]!) ?? new Map<string, number>();
    cells.set(groups[row]!, g);
    g.set(label, (g.get(label) ?? 0) + (counts[row]! || 0));
  });
  const valueName = measured.name ?? ((LOW_NAMES as readonly string[]).includes(lowName) ? "value" : lowName);
  return {
    buckets: scale.buckets,
    counts: cells,
    unit,
    valueName,
    log: scale.log,
    ...(scale.tickLabels ? { tickLabels: scale.tickLabels } : {}),
    by,
    summedOver: by === undefined ? keys : [],
  };
}

function draw(h: Histogram, options: PlotLayout): Plot {
  // Groups beyond the limit are dropped, largest kept, and the summary says so.
  const totals = [...h.counts.entries()].map(([group, g]) => [group, [...g.values()].reduce((a, b) => a + b, 0)] as const);
  const ranked = totals.sort((a, b) => b[1] - a[1]).map(([group]) => group);
  const kept = ranked.slice(0, MAX_HISTOGRAM_GROUPS);
  const grouped = h.by !== undefined;
  const total = totals.reduce((n, [, c]) => n + c, 0);
  const values = kept.flatMap((group) =>
    h.buckets.map((b) => ({
      bucket: b.label,
      from: b.from,
      count: h.counts.get(group)?.get(b.label) ?? 0,
      ...(grouped ? { group } : {}),
    })),
  );
  const title = h.log ? `${h.valueName} (${log2Note(h.unit)})` : h.valueName;
  // Wide enough steps for level labels (about 7px a character); tilted when they can't fit in 800px.
  const labelled = h.tickLabels ?? h.buckets.map((b) => b.label);
  const longest = labelled.reduce((m, l) => Math.max(m, l.length), 1);
  const step = h.tickLabels ? 16 : Math.max(24, longest * 7 + 8);
  const tilted = labelled.length * (longest * 7 + 8) > 800;
  const encoding: Record<string, unknown> = {
    x: {
      field: "bucket",
      type: "ordinal",
      title,
      // Every bucket in order, empty ones too: the scale's domain, not just the data's.
      scale: { domain: h.buckets.map((b) => b.label) },
      axis: { labelAngle: tilted ? -45 : 0, ...(h.tickLabels ? { values: h.tickLabels } : {}) },
    },
    // Counts are whole: no "0.5" ticks when they are small.
    y: { field: "count", type: "quantitative", title: "count", axis: wholeCountAxis(Math.max(0, ...values.map((v) => v.count))) },
    tooltip: [
      { field: "from", type: "nominal", title: "bucket from" },
      { field: "count", type: "quantitative" },
      ...(grouped ? [{ field: "group", type: "nominal", title: h.by }] : []),
    ],
  };
  if (grouped) encoding.row = { field: "group", type: "nominal", title: h.by, sort: kept, header: { labelAngle: 0, labelAlign: "left" } };
  const spec: Record<string, unknown> = {
    ...(options.title ? { title: options.title } : {}),
    data: { values },
    mark: { type: "bar", color: "#4c78a8", tooltip: true },
    encoding,
    width: options.width ?? Math.max(200, Math.min(800, h.buckets.length * step)),
    height: options.height ?? (grouped ? 120 : 240),
  };
  if (grouped) spec.resolve = { scale: { y: "independent" } };
  const n = h.buckets.length;
  let summary = `${h.log ? "log2 " : ""}histogram of ${h.valueName}: ${formatCount(total)} counted in ${n} bucket${n === 1 ? "" : "s"}`;
  if (n > 0) summary += `, ${h.buckets[0]!.label} to ${h.buckets[n - 1]!.label}`;
  if (grouped) {
    summary += `, by ${h.by} (${ranked.length} value${ranked.length === 1 ? "" : "s"}`;
    summary += ranked.length > kept.length ? `; only the ${kept.length} largest are drawn)` : ")";
  }
  if (h.summedOver.length > 0) summary += ` (summed over ${h.summedOver.join(", ")}: pass { by } for one histogram per key)`;
  // The text's bounds count in powers of 1024: say so where a time unit could be read as 1000.
  const note = h.log && ["ns", "us", "ms"].includes(h.unit) ? ` (${log2Note(h.unit).replace("log2 buckets, ", "")})` : "";
  const text = {
    summary: summary + note,
    unit: h.unit,
    log: h.log,
    ...(grouped ? { by: h.by } : {}),
    groups: kept.map((group) => ({
      name: group,
      buckets: h.buckets.map((b) => ({ low: b.low, ...(b.high !== undefined ? { high: b.high } : {}), count: h.counts.get(group)?.get(b.label) ?? 0 })),
    })),
  };
  return new Plot(spec, summary, (width) => histogramText(text, width));
}

function groupKeys(t: ColumnTable, by: string | undefined, at: string): string[] {
  if (by === undefined) return new Array<string>(t.numRows()).fill("");
  requireColumn(t, by, at, "by");
  return columnValues(t, by).map(labelOf);
}

function onlyNumericColumn(t: ColumnTable, at: string): string {
  const numeric = t.columnNames().filter((name) => {
    const first = t.numRows() > 0 ? t.get(name, 0) : undefined;
    return typeof first === "number" || typeof first === "bigint";
  });
  if (numeric.length === 1) return numeric[0]!;
  throw new RangeError(`${at}: say which column to bucket, e.g. { value: "${numeric[0] ?? "latency_ns"}" }, or pass a histogram table with columns lower, upper, count. Columns: ${t.columnNames().join(", ")}`);
}
