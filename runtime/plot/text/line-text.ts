// plot.line() as text: one sparkline per series (▁▂▃▄▅▆▇█, scaled from the
// series' minimum to its maximum) with its min, max and last value, and the
// x range underneath. Each x value (a time series' interval) gets an equal
// run of characters; when there are more x values than characters, a
// character shows the largest value of the ones it covers.

import type { PlotUnit } from "../../../probes-lib/plot-units.js";
import { xLabel, type TextAxis } from "./axis-label.js";
import { cut, readable } from "./fit.js";

/** What a line plot's text needs. */
export interface LineText {
  summary: string;
  x: TextAxis & { title: string };
  y: { title: string; unit: PlotUnit };
  /** The column the series are values of ("cpu"): each line is named "cpu 3". */
  by?: string;
  /** The lines, largest first; `name` is "" for a plot without series. */
  series: { name: string; points: { x: number; y: number }[] }[];
}

const LEVELS = "▁▂▃▄▅▆▇█";

/**
 * Sparklines laid out to `width` columns.
 *
 * @example
 * ```ts
 * lineText({ summary: "line plot of count by t: 4 points", x: { type: "quantitative", unit: "s", title: "t" }, y: { title: "count", unit: "" },
 *   series: [{ name: "", points: [{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 2 }, { x: 3, y: 5 }] }] }, 40)
 * // line plot of count by t: 4 points
 * // count ▁▁▁▁▄▄▄▄▂▂▂▂████ min 1 max 5 last 5
 * //       0s           3s (t)
 * ```
 */
export function lineText(l: LineText, width: number): string {
  const xs = [...new Set(l.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  if (xs.length === 0) return [l.summary, "(no points)"].join("\n");
  const names = l.series.map((s) => (l.by === undefined ? l.y.title : `${l.by} ${s.name}`));
  const nameWidth = Math.min(Math.max(...names.map((n) => n.length)), Math.max(4, Math.floor(width / 4)));
  const stats = l.series.map((s) => {
    const ys = s.points.map((p) => p.y);
    const last = [...s.points].sort((a, b) => a.x - b.x).at(-1)!.y;
    return `min ${readable(Math.min(...ys), l.y.unit)} max ${readable(Math.max(...ys), l.y.unit)} last ${readable(last, l.y.unit)}`;
  });
  const statsWidth = Math.max(...stats.map((s) => s.length));
  // name, space, sparkline, space, stats
  const room = Math.max(8, width - nameWidth - statsWidth - 2);
  // Each x value an equal run of characters, or several x values a character.
  const perX = Math.max(1, Math.floor(room / xs.length));
  const fits = xs.length * perX <= room;
  const chars = fits ? xs.length * perX : room;
  const span = (index: number): [number, number] => {
    if (fits) return [index * perX, (index + 1) * perX];
    const from = Math.floor((index * chars) / xs.length);
    return [from, from + 1];
  };
  const indexOfX = new Map(xs.map((x, i) => [x, i]));
  const lines = [l.summary];
  l.series.forEach((s, n) => {
    const cells: (number | undefined)[] = new Array(chars).fill(undefined);
    for (const p of s.points) {
      const [from, to] = span(indexOfX.get(p.x)!);
      for (let c = from; c < to; c++) cells[c] = cells[c] === undefined ? p.y : Math.max(cells[c]!, p.y);
    }
    const ys = s.points.map((p) => p.y);
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const spark = cells.map((v) => {
      if (v === undefined) return " ";
      if (hi === lo) return LEVELS[3];
      return LEVELS[Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 8))];
    }).join("");
    lines.push(`${cut(names[n]!, nameWidth).padEnd(nameWidth)} ${spark} ${stats[n]}`);
  });
  const first = xLabel(xs[0]!, l.x);
  const last = xLabel(xs[xs.length - 1]!, l.x);
  const axis = xs.length === 1 ? first : first + last.padStart(Math.max(last.length + 1, chars - first.length));
  lines.push(`${" ".repeat(nameWidth)} ${axis}  ${l.x.title}`);
  return lines.join("\n");
}
