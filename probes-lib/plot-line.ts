// plot.line(): a time series, one line per value of an optional key column.
// Time columns from probes (time_ns, boot-relative) become seconds since the
// first row; wall-clock times and dates (a probe's `time`) become a date axis
// in UTC, the clock tables show them in.

import type { ColumnTable } from "arquero";
import { axisValues, capRows, columnValues, formatCount, labelOf, MAX_PLOT_ROWS, numericValues, requireColumn, requireTable, TEMPORAL_TOOLTIP, xEncoding } from "./plot-data.js";
import { withTitle } from "./plot-meta.js";
import { Plot, type PlotLayout } from "./plot-object.js";
import { unitOfColumn } from "./plot-units.js";
import { lineText } from "../runtime/plot/text/line-text.js";

/** Options of {@link line}. */
export interface LineOptions extends PlotLayout {
  /** The x column, usually time (`"time"`: dates, in UTC; `"time_ns"`: seconds since the first row; any Date column). */
  x: string;
  /** The y column (numbers or BigInt). */
  y: string;
  /** One line per value of this column, e.g. `"cpu"` or `"comm"`. */
  color?: string;
  /** Also mark each point (default: only when there are at most 60 points per line). */
  points?: boolean;
}

/** Lines drawn at most, largest total first. */
export const MAX_LINE_SERIES = 20;

/**
 * A line plot, usually a time series. A boot-relative clock column such as
 * `time_ns` becomes seconds since the first row; wall-clock times and Date
 * columns (events' and time series' `time`) give a date axis, in UTC. At most 5,000 points are drawn (the summary says
 * when some were left out).
 *
 * @param table - an arquero table.
 * @param options - `{ x, y }` column names, and `{ color }` for one line per key.
 * @returns a {@link Plot}.
 *
 * @example
 * ```ts
 * const run = tracepoint("sched:sched_switch").count().by("cpu").every("1s").start();
 * plot.line(await run.stop(), { x: "time", y: "count", color: "cpu" })
 * // events: x "time" for clock times, "time_ns" for seconds since the first event
 * const reads = await syscall("read").latency().events({ over: "1ms", for: "10s" });
 * plot.line(reads, { x: "time", y: "latency_ns" })
 * ```
 */
export function line(table: ColumnTable, options: LineOptions): Plot {
  const at = "plot.line(table, { x, y })";
  const t = requireTable(table, at);
  options = withTitle(t, options);
  if (options === null || typeof options !== "object") throw new TypeError(`${at}: say which columns to draw, e.g. plot.line(t, { x: "time_ns", y: "count" })`);
  const xName = requireColumn(t, options.x, at, "x");
  const yName = requireColumn(t, options.y, at, "y");
  const colorName = options.color === undefined ? undefined : requireColumn(t, options.color, at, "color");
  const xs = axisValues(t, xName, at);
  const ys = numericValues(t, yName, at);
  const keys = colorName ? columnValues(t, colorName).map(labelOf) : undefined;

  const totals = new Map<string, number>();
  if (keys) keys.forEach((k, i) => totals.set(k, (totals.get(k) ?? 0) + Math.abs(ys[i]! || 0)));
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const kept = new Set(ranked.slice(0, MAX_LINE_SERIES));
  const points: { x: number; y: number; series?: string }[] = [];
  for (let i = 0; i < ys.length; i++) {
    if (keys && !kept.has(keys[i]!)) continue;
    if (!Number.isFinite(xs.values[i]!) || !Number.isFinite(ys[i]!)) continue;
    points.push({ x: xs.values[i]!, y: ys[i]!, ...(keys ? { series: keys[i]! } : {}) });
  }
  // Too many points: keep every n-th point of each line, so the whole time range stays in view.
  const stride = Math.ceil(points.length / MAX_PLOT_ROWS);
  const seen = new Map<string, number>();
  const sampled = stride <= 1 ? points : points.filter((p) => {
    const key = "series" in p ? String(p.series) : "";
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n % stride === 0;
  });
  const { rows } = capRows(sampled);
  const total = points.length;
  const capped = rows.length < total;
  const series = keys ? kept.size : 1;
  const showPoints = options.points ?? rows.length / Math.max(1, series) <= 60;
  const encoding: Record<string, unknown> = {
    x: xEncoding("x", xs, { zero: false }, rows.map((p) => p.x)),
    y: { field: "y", type: "quantitative", title: yName },
    tooltip: [
      { field: "x", type: xs.type, title: xs.title, ...(xs.type === "temporal" ? TEMPORAL_TOOLTIP : {}) },
      { field: "y", type: "quantitative", title: yName },
      ...(keys ? [{ field: "series", type: "nominal", title: colorName }] : []),
    ],
  };
  if (keys) encoding.color = { field: "series", type: "nominal", title: colorName, sort: ranked.slice(0, MAX_LINE_SERIES) };
  const spec = {
    ...(options.title ? { title: options.title } : {}),
    data: { values: rows },
    mark: { type: "line", point: showPoints, tooltip: true, interpolate: "linear" },
    encoding,
    width: options.width ?? 640,
    height: options.height ?? 280,
  };
  let summary = `line plot of ${yName} by ${xName}: ${formatCount(rows.length)} point${rows.length === 1 ? "" : "s"}`;
  if (keys) summary += `, ${series} line${series === 1 ? "" : "s"} by ${colorName}`;
  if (keys && ranked.length > kept.size) summary += ` (only the ${kept.size} largest of ${ranked.length} are drawn)`;
  if (capped) summary += ` (every ${stride === 2 ? "2nd" : stride === 3 ? "3rd" : `${stride}th`} point of each line drawn, ${formatCount(rows.length)} of ${formatCount(total)}: filter or aggregate the table to see all)`;
  // The text draws every point (a character holds the largest of those it covers), series largest first.
  const order = keys ? ranked.slice(0, MAX_LINE_SERIES) : [""];
  const text = {
    summary,
    x: { type: xs.type, unit: xs.unit, title: xs.title },
    y: { title: yName, unit: unitOfColumn(yName) },
    ...(colorName !== undefined ? { by: colorName } : {}),
    series: order.map((name) => ({ name, points: points.filter((p) => (p.series ?? "") === name).map((p) => ({ x: p.x, y: p.y })) })),
  };
  return new Plot(spec, summary, (width) => lineText(text, width));
}
