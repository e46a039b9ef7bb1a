// plot.heatmap() as text: one row per bucket (the largest at the top, as the
// plot draws it), one column per time interval, each cell shaded ░▒▓█ by its
// count's share of the fullest cell (blank: none), the bucket labels on the
// left and the time range underneath. More intervals than the terminal has
// columns: neighbouring intervals are added together.

import { xLabel, type TextAxis } from "./axis-label.js";
import { cut } from "./fit.js";

/** What a heatmap's text needs. */
export interface HeatmapText {
  summary: string;
  x: TextAxis & { title: string };
  /** Every bucket from the smallest up, with its axis label ("1us", "2us", ...). */
  buckets: string[];
  /** The intervals' starts, in order, and each cell's interval and bucket index. */
  times: number[];
  cells: { time: number; bucket: number; count: number }[];
}

const SHADES = "░▒▓█";
/** Characters a time interval gets at most, so that a few intervals don't make a wall. */
const MAX_PER_TIME = 4;

/**
 * The heatmap laid out to `width` columns.
 *
 * @example
 * ```ts
 * heatmapText({ summary: "heatmap", x: { type: "quantitative", unit: "s", title: "t" }, buckets: ["1us", "2us"],
 *   times: [0, 1], cells: [{ time: 0, bucket: 0, count: 4 }, { time: 1, bucket: 1, count: 1 }] }, 40)
 * // heatmap
 * //   2us │    ░░░░
 * //   1us │████
 * //       └────────
 * //        0s  1s  t
 * //       shades: ░ ▒ ▓ █ = up to 1, 2, 3, 4 per cell
 * ```
 */
export function heatmapText(h: HeatmapText, width: number): string {
  if (h.times.length === 0 || h.buckets.length === 0) return [h.summary, "(nothing counted)"].join("\n");
  const labelWidth = Math.min(Math.max(...h.buckets.map((b) => b.length)), 12);
  const room = Math.max(8, width - labelWidth - 2);
  const perTime = Math.max(1, Math.min(MAX_PER_TIME, Math.floor(room / h.times.length)));
  const fits = h.times.length * perTime <= room;
  const columns = fits ? h.times.length * perTime : room;
  const span = fits ? perTime : 1;
  const columnOf = new Map(h.times.map((t, i) => [t, fits ? i * perTime : Math.floor((i * columns) / h.times.length)]));
  const grid = h.buckets.map(() => new Array<number>(columns).fill(0));
  for (const cell of h.cells) {
    const from = columnOf.get(cell.time);
    if (from === undefined || grid[cell.bucket] === undefined) continue;
    for (let c = from; c < from + span; c++) grid[cell.bucket]![c]! += cell.count;
  }
  const max = Math.max(...grid.flat());
  const shade = (n: number) => (n <= 0 ? " " : SHADES[Math.min(3, Math.ceil((n / max) * 4) - 1)]);
  const lines = [h.summary];
  for (let b = h.buckets.length - 1; b >= 0; b--) {
    lines.push(`${cut(h.buckets[b]!, labelWidth).padStart(labelWidth)} │${grid[b]!.map(shade).join("").trimEnd()}`);
  }
  lines.push(`${" ".repeat(labelWidth)} └${"─".repeat(columns)}`);
  const first = xLabel(h.times[0]!, h.x);
  const last = xLabel(h.times[h.times.length - 1]!, h.x);
  // The last label starts under the last interval's first character.
  const lastAt = columnOf.get(h.times[h.times.length - 1]!)!;
  const axis = h.times.length === 1 ? first : lastAt > first.length ? first.padEnd(lastAt) + last : `${first} ${last}`;
  lines.push(`${" ".repeat(labelWidth)}  ${axis}  ${h.x.title}`);
  const steps = [1, 2, 3, 4].map((i) => formatShare((max * i) / 4));
  lines.push(`${" ".repeat(labelWidth)}  shades: ${SHADES.split("").join(" ")} = up to ${steps.join(", ")} per cell`);
  return lines.join("\n");
}

function formatShare(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
