// plot.heatmap(): a latency (or size) heatmap over time: time across, log2
// buckets up, colour for how many events fell in each cell. Reads a time
// series of histograms (time, bucket bounds, count: what .every("1s") of an
// in-kernel histogram returns) or counts the rows of an events table itself
// (a time column and a raw value column).

import type { ColumnTable } from "arquero";
import { logBucket, logScale, logSlot, scaleFromBounds, type Bucket } from "./plot-buckets.js";
import { axisValues, capRows, columnValues, findColumn, formatCount, numericValues, requireColumn, requireTable, TEMPORAL_TOOLTIP, xEncoding } from "./plot-data.js";
import { measuredOf, withTitle } from "./plot-meta.js";
import { Plot, type PlotLayout } from "./plot-object.js";
import { log2Note, unitOfColumn, type PlotUnit } from "./plot-units.js";
import { heatmapText } from "../runtime/plot/text/heatmap-text.js";

/** Options of {@link heatmap}. */
export interface HeatmapOptions extends PlotLayout {
  /** The time column (`"time"`: dates, in UTC; `"time_ns"`: seconds since the first row; any Date column). */
  x: string;
  /** With `color`: each row's bucket lower bound (`"lower"`). Without: raw values, bucketed by log2. */
  y: string;
  /** The count column of a histogram series; without it, rows are counted. */
  color?: string;
  /** Time columns when counting raw rows (default 60). */
  columns?: number;
  /** Unit of the y values, for labels (default: from the probe, or the column name). */
  unit?: PlotUnit;
}

interface Cell {
  t0: number;
  t1: number;
  bucket: Bucket;
  count: number;
}

/**
 * A heatmap over time: one column per time interval, one row per log2 bucket
 * of the value (1us, 2us, 4us ...), coloured by how many events fell there.
 * It shows what one histogram hides: modes that come and go, and when the
 * outliers happened.
 *
 * @param table - a histogram time series (time, bucket bounds, count: pass `color`),
 *   or an events table with a time column and a raw value column.
 * @param options - `{ x, y }` columns, `{ color }` for a count column.
 * @returns a {@link Plot}.
 *
 * @example
 * ```ts
 * // from a histogram series read every second
 * const series = await syscall("read").latency().histogram().every("1s").run({ for: "30s" });
 * plot.heatmap(series, { x: "time", y: "lower", color: "count" })
 * // from events: clock time across, latency_ns in log2 buckets up
 * const reads = await syscall("read").latency().events({ over: "10us", for: "10s" });
 * plot.heatmap(reads, { x: "time", y: "latency_ns" })
 * ```
 */
export function heatmap(table: ColumnTable, options: HeatmapOptions): Plot {
  const at = "plot.heatmap(table, { x, y })";
  const t = requireTable(table, at);
  options = withTitle(t, options);
  if (options === null || typeof options !== "object") throw new TypeError(`${at}: say which columns to use, e.g. plot.heatmap(t, { x: "time_ns", y: "latency_ns" })`);
  const xName = requireColumn(t, options.x, at, "x");
  const yName = requireColumn(t, options.y, at, "y");
  const countName = options.color === undefined ? undefined : requireColumn(t, options.color, at, "color");
  const measured = countName ? measuredOf(t) : {};
  const unit = options.unit ?? measured.unit ?? unitOfColumn(yName);
  const xs = axisValues(t, xName, at);
  const laid = countName
    ? fromHistograms(t, xs.values, yName, countName, unit, xName === "time" ? measured.everyMs : undefined, at)
    : fromEvents(t, xs.values, yName, unit, options.columns ?? 60, at);
  const { cells, buckets, log, tickLabels } = laid;

  const { rows, total, capped } = capRows(cells);
  const values = rows.map((c) => ({ t0: c.t0, t1: c.t1, bucket: c.bucket.label, from: c.bucket.from, count: c.count }));
  const valueName = measured.name ?? yName;
  const yTitle = log ? `${valueName} (${log2Note(unit)})` : valueName;
  const spec = {
    ...(options.title ? { title: options.title } : {}),
    data: { values },
    mark: { type: "rect", tooltip: true },
    encoding: {
      x: xEncoding("t0", xs, { zero: false, nice: false }, values.flatMap((c) => [c.t0, c.t1])),
      x2: { field: "t1" },
      // Largest bucket at the top; every bucket in the range is on the axis, empty or not.
      y: {
        field: "bucket",
        type: "ordinal",
        title: yTitle,
        scale: { domain: [...buckets].reverse().map((b) => b.label) },
        ...(tickLabels ? { axis: { values: tickLabels } } : {}),
      },
      color: { field: "count", type: "quantitative", title: countName ?? "events", scale: { scheme: "yelloworangered" } },
      tooltip: [
        { field: "t0", type: xs.type, title: `${xs.title} from`, ...(xs.type === "temporal" ? TEMPORAL_TOOLTIP : {}) },
        { field: "from", type: "nominal", title: `${valueName} from` },
        { field: "count", type: "quantitative" },
      ],
    },
    width: options.width ?? 640,
    height: options.height ?? Math.max(220, Math.min(600, (tickLabels ? 6 : 16) * buckets.length)),
  };
  const intervals = new Set(cells.map((c) => c.t0)).size;
  const events = cells.reduce((n, c) => n + c.count, 0);
  let summary = `heatmap of ${valueName} over ${xName}: ${formatCount(events)} ${countName ? "counted" : "events"} in ${intervals} interval${intervals === 1 ? "" : "s"} × ${buckets.length} bucket${buckets.length === 1 ? "" : "s"}`;
  if (buckets.length > 0) summary += ` (${buckets[0]!.label} to ${buckets[buckets.length - 1]!.label})`;
  if (capped) summary += `; only the first ${formatCount(rows.length)} of ${formatCount(total)} cells are drawn (use fewer columns or a shorter time range)`;
  const times = [...new Set(cells.map((c) => c.t0))].sort((a, b) => a - b);
  const bucketIndex = new Map(buckets.map((b, i) => [b.label, i]));
  const text = {
    summary,
    x: { type: xs.type, unit: xs.unit, title: xs.title },
    buckets: buckets.map((b) => b.label),
    times,
    cells: cells.map((c) => ({ time: c.t0, bucket: bucketIndex.get(c.bucket.label) ?? -1, count: c.count })),
  };
  return new Plot(spec, summary, (width) => heatmapText(text, width));
}

interface Laid {
  cells: Cell[];
  buckets: Bucket[];
  log: boolean;
  tickLabels?: string[];
}

function fromEvents(t: ColumnTable, xs: number[], yName: string, unit: PlotUnit, columns: number, at: string): Laid {
  if (!Number.isInteger(columns) || columns < 1 || columns > 1000) throw new RangeError(`${at}: columns must be a whole number from 1 to 1000, not ${String(columns)}`);
  const ys = columnValues(t, yName);
  const finite = xs.filter(Number.isFinite);
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  // The last event must fall inside the last column, not on its right edge.
  const width = max > min ? (max - min) / columns : 1;
  const counts = new Map<string, { column: number; slot: number; count: number }>();
  let lo = Infinity;
  let hi = -Infinity;
  ys.forEach((v, row) => {
    if ((typeof v !== "number" && typeof v !== "bigint") || !Number.isFinite(xs[row]!)) return;
    const column = Math.min(columns - 1, Math.floor((xs[row]! - min) / width));
    const slot = logSlot(v);
    lo = Math.min(lo, slot);
    hi = Math.max(hi, slot);
    const key = `${column}:${slot}`;
    const cell = counts.get(key) ?? { column, slot, count: 0 };
    cell.count++;
    counts.set(key, cell);
  });
  const cells = [...counts.values()]
    .sort((a, b) => a.column - b.column || a.slot - b.slot)
    .map((c) => ({ t0: min + c.column * width, t1: min + (c.column + 1) * width, bucket: logBucket(c.slot, 1, unit), count: c.count }));
  return { cells, buckets: lo <= hi ? logScale(lo, hi, 1, unit).buckets : [], log: true };
}

function fromHistograms(t: ColumnTable, xs: number[], yName: string, countName: string, unit: PlotUnit, everyMs: number | undefined, at: string): Laid {
  const lows = numericValues(t, yName, at);
  const highName = findColumn(t, yName === "lower" ? ["upper"] : yName === "low" ? ["high"] : []);
  const highs = highName ? numericValues(t, highName, at) : undefined;
  const counts = numericValues(t, countName, at);
  const scale = scaleFromBounds(lows, highs, unit);
  // A runtime series' time is each interval's end; otherwise rows mark starts, one step apart.
  let step = everyMs;
  if (step === undefined) {
    const times = [...new Set(xs.filter(Number.isFinite))].sort((a, b) => a - b);
    step = Infinity;
    for (let i = 1; i < times.length; i++) step = Math.min(step, times[i]! - times[i - 1]!);
    if (!Number.isFinite(step)) step = 1;
  }
  const endAligned = everyMs !== undefined;
  const merged = new Map<string, Cell>();
  lows.forEach((low, row) => {
    const x = xs[row]!;
    if (!Number.isFinite(x) || !(counts[row]! > 0)) return;
    const bucket = scale.bucketOf(low, highs?.[row]);
    const key = `${x}:${bucket.label}`;
    const cell = merged.get(key) ?? { t0: endAligned ? x - step! : x, t1: endAligned ? x : x + step!, bucket, count: 0 };
    cell.count += counts[row]!;
    merged.set(key, cell);
  });
  const cells = [...merged.values()].sort((a, b) => a.t0 - b.t0 || a.bucket.order - b.bucket.order);
  return { cells, buckets: scale.buckets, log: scale.log, ...(scale.tickLabels ? { tickLabels: scale.tickLabels } : {}) };
}
