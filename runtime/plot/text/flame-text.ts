// plot.flame() as text: the call tree, indented by depth, each frame with its
// share of the samples; children hottest first, frames under 1% of the samples
// left out, at most `maxLines` frames. What a terminal can show of a flame
// graph: where the time goes, top down.

import { cut } from "./fit.js";

/** A node of the merged call tree (root: "all"). */
export interface FlameTextNode {
  name: string;
  value: number;
  children: Map<string, FlameTextNode> | FlameTextNode[];
}

/** What a flame graph's text needs. */
export interface FlameText {
  summary: string;
  root: FlameTextNode;
}

/** Frames below this share of all samples are not listed. */
export const FLAME_TEXT_MIN_SHARE = 0.01;
/** Frames listed at most. */
export const FLAME_TEXT_MAX_LINES = 40;
const INDENT = 2;

/**
 * The call tree laid out to `width` columns.
 *
 * @example
 * ```ts
 * flameText({ summary: "flame graph of 4 samples", root: { name: "all", value: 4, children: [
 *   { name: "main", value: 4, children: [{ name: "read", value: 3, children: [] }, { name: "write", value: 1, children: [] }] }] } }, 40)
 * // flame graph of 4 samples
 * // 100.0%  all
 * // 100.0%    main
 * //  75.0%      read
 * //  25.0%      write
 * ```
 */
export function flameText(f: FlameText, width: number, maxLines = FLAME_TEXT_MAX_LINES): string {
  const total = f.root.value;
  if (!(total > 0)) return [f.summary, "(no samples)"].join("\n");
  const lines = [f.summary];
  let listed = 0;
  let left = 0;
  const visit = (node: FlameTextNode, depth: number) => {
    if (listed >= maxLines) {
      left++;
      return;
    }
    listed++;
    const share = `${((100 * node.value) / total).toFixed(1)}%`.padStart(6);
    const indent = " ".repeat(depth * INDENT);
    lines.push(`${share}  ${indent}${cut(node.name, Math.max(8, width - 8 - indent.length))}`);
    const children = [...(Array.isArray(node.children) ? node.children : node.children.values())]
      .filter((c) => c.value >= total * FLAME_TEXT_MIN_SHARE)
      .sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1));
    for (const child of children) visit(child, depth + 1);
  };
  visit(f.root, 0);
  if (left > 0) lines.push(`(${left} more frame${left === 1 ? "" : "s"} of at least 1% not listed)`);
  return lines.join("\n");
}
