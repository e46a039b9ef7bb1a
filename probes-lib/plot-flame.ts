// plot.flame(): a flame graph of a CPU profile. Stacks are merged into a tree
// (an icicle/partition layout computed here, in plain JavaScript) and drawn as
// Vega-Lite rects: the root ("all") at the bottom, each frame as wide as the
// samples that passed through it, children sorted by name as in Brendan
// Gregg's flamegraph.pl, labels where they fit.

import type { ColumnTable } from "arquero";
import { columnValues, findColumn, formatCount, MAX_PLOT_ROWS, numericValues, requireColumn, requireTable } from "./plot-data.js";
import { withTitle } from "./plot-meta.js";
import { Plot, type PlotLayout } from "./plot-object.js";
import { flameText } from "../runtime/plot/text/flame-text.js";

/** Options of {@link flame}. */
export interface FlameOptions extends PlotLayout {
  /** The stack column: folded strings `"main;read;vfs_read"` or arrays of frames (default "stack"). */
  stack?: string;
  /** Samples per row (default: the `count` or `samples` column if there is one, else 1 per row). */
  value?: string;
  /** Stacks list the leaf (innermost frame) first, as unwound stacks do; default false (root first, as folded stacks). */
  leafFirst?: boolean;
  /** Frames narrower than this fraction of all samples are left out (default 0.001). */
  minFraction?: number;
}

const ROW_PX = 18;
/** Roughly the width of one character of the 11px label font. */
const CHAR_PX = 6.5;

interface FrameNode {
  name: string;
  value: number;
  children: Map<string, FrameNode>;
}

interface FrameRect {
  name: string;
  x0: number;
  x1: number;
  depth: number;
  samples: number;
}

/**
 * A flame graph: each box is a function, as wide as the share of samples in
 * which it was on the stack, stacked on its caller (the root, "all", at the
 * bottom). Frames narrower than 0.1% of the samples are left out, and the
 * summary says how many.
 *
 * @param table - one row per stack: a stack column (folded `"a;b;c"` strings, root
 *   first, or arrays of frame names) and optionally a count column.
 * @param options - `{ stack, value }` column names, `{ leafFirst }` for leaf-first arrays.
 * @returns a {@link Plot}.
 *
 * @example
 * ```ts
 * const cpu = await profile({ hz: 99 }).run({ for: "10s" });
 * plot.flame(cpu, { stack: "stack", value: "samples" })
 * ```
 */
export function flame(table: ColumnTable, options: FlameOptions = {}): Plot {
  const at = "plot.flame(table, { stack, value })";
  const t = requireTable(table, at);
  options = withTitle(t, options);
  const stackName = requireColumn(t, options.stack ?? findColumn(t, ["stack", "stacks", "frames"]) ?? options.stack, at, "stack");
  const valueName = options.value ?? findColumn(t, ["count", "samples"]);
  if (valueName !== undefined) requireColumn(t, valueName, at, "value");
  const minFraction = options.minFraction ?? 0.001;
  if (!(minFraction >= 0 && minFraction < 1)) throw new RangeError(`${at}: minFraction must be at least 0 and below 1, not ${String(minFraction)}`);

  const stacks = columnValues(t, stackName);
  const weights = valueName ? numericValues(t, valueName, at) : undefined;
  const root: FrameNode = { name: "all", value: 0, children: new Map() };
  stacks.forEach((stack, row) => {
    const weight = weights ? weights[row]! : 1;
    if (!(weight > 0)) return;
    let frames = framesOf(stack, stackName, row, at);
    if (options.leafFirst) frames = [...frames].reverse();
    root.value += weight;
    let node = root;
    for (const frame of frames) {
      let child = node.children.get(frame);
      if (!child) {
        child = { name: frame, value: 0, children: new Map() };
        node.children.set(frame, child);
      }
      child.value += weight;
      node = child;
    }
  });

  // Raise the cut-off until the spec stays small.
  let cutoff = minFraction * root.value;
  let laid = partition(root, cutoff);
  while (laid.rects.length > MAX_PLOT_ROWS) {
    cutoff = cutoff > 0 ? cutoff * 2 : root.value / MAX_PLOT_ROWS;
    laid = partition(root, cutoff);
  }
  const { rects, hidden } = laid;
  const width = options.width ?? 900;
  const maxDepth = rects.reduce((m, r) => Math.max(m, r.depth), 0);
  const total = root.value || 1;
  const boxes = rects.map((r) => ({
    name: r.name,
    x0: r.x0,
    x1: r.x1,
    depth: r.depth,
    top: r.depth + 1,
    samples: r.samples,
    percent: Number(((100 * r.samples) / total).toFixed(2)),
    color: frameColor(r.name),
  }));
  const labels = rects.flatMap((r) => {
    const text = fitLabel(r.name, ((r.x1 - r.x0) / total) * width);
    return text ? [{ x0: r.x0, middle: r.depth + 0.5, label: text }] : [];
  });
  const x = { scale: { domain: [0, total], nice: false, zero: true }, axis: null };
  const y = { scale: { domain: [0, maxDepth + 1], nice: false, zero: true }, axis: null };
  const spec = {
    ...(options.title ? { title: options.title } : {}),
    width,
    height: options.height ?? (maxDepth + 1) * ROW_PX,
    layer: [
      {
        data: { values: boxes },
        mark: { type: "rect", stroke: "white", strokeWidth: 0.5, tooltip: true },
        encoding: {
          x: { field: "x0", type: "quantitative", ...x },
          x2: { field: "x1" },
          y: { field: "depth", type: "quantitative", ...y },
          y2: { field: "top" },
          color: { field: "color", type: "nominal", scale: null },
          tooltip: [
            { field: "name", type: "nominal", title: "function" },
            { field: "samples", type: "quantitative" },
            { field: "percent", type: "quantitative", title: "% of samples" },
          ],
        },
      },
      {
        data: { values: labels },
        mark: { type: "text", align: "left", baseline: "middle", dx: 3, fontSize: 11, color: "#222" },
        encoding: {
          x: { field: "x0", type: "quantitative", ...x },
          y: { field: "middle", type: "quantitative", ...y },
          text: { field: "label", type: "nominal" },
        },
      },
    ],
    config: { view: { stroke: null } },
  };
  let summary = `flame graph of ${formatCount(root.value)} sample${root.value === 1 ? "" : "s"}: ${formatCount(rects.length)} frames, ${maxDepth} deep`;
  if (hidden > 0) summary += ` (${formatCount(hidden)} frames narrower than ${formatFraction(cutoff / total)} of the samples left out)`;
  return new Plot(spec, summary, (columns) => flameText({ summary, root }, columns));
}

/** The frames of one row's stack, root first unless the caller reverses them. */
function framesOf(stack: unknown, column: string, row: number, at: string): string[] {
  if (typeof stack === "string") return stack === "" ? [] : stack.split(";");
  if (Array.isArray(stack)) return stack.map(String);
  if (stack === null || stack === undefined) return [];
  throw new TypeError(`${at}: column "${column}" must hold folded stacks ("main;read;vfs_read") or arrays of frame names, but row ${row} is ${typeof stack}`);
}

/** Lays out the tree: each node spans [x0, x1) of the samples at its depth; narrow ones are counted, not drawn. */
function partition(root: FrameNode, cutoff: number): { rects: FrameRect[]; hidden: number } {
  const rects: FrameRect[] = [];
  let hidden = 0;
  const visit = (node: FrameNode, x0: number, depth: number) => {
    rects.push({ name: node.name, x0, x1: x0 + node.value, depth, samples: node.value });
    let x = x0;
    for (const child of [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (child.value < cutoff) hidden += countNodes(child);
      else visit(child, x, depth + 1);
      x += child.value;
    }
  };
  visit(root, 0, 0);
  return { rects, hidden };
}

function countNodes(node: FrameNode): number {
  let n = 1;
  for (const child of node.children.values()) n += countNodes(child);
  return n;
}

/** The frame's name cut to fit `px` pixels, or "" when not even 3 characters fit. */
function fitLabel(name: string, px: number): string {
  const chars = Math.floor((px - 6) / CHAR_PX);
  if (chars < 3) return "";
  return name.length <= chars ? name : `${name.slice(0, chars - 2)}..`;
}

/** flamegraph.pl's "hot" palette, picked by a hash of the name so a function keeps its colour. */
function frameColor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  const v1 = (h & 0xff) / 255;
  const v2 = ((h >>> 8) & 0xff) / 255;
  const v3 = ((h >>> 16) & 0xff) / 255;
  return `rgb(${205 + Math.round(50 * v3)},${Math.round(230 * v1)},${Math.round(55 * v2)})`;
}

function formatFraction(f: number): string {
  return `${Number((f * 100).toPrecision(2))}%`;
}
