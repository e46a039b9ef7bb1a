// Transpiling a cell costs 2-10 ms of TypeScript (transpileModule builds a
// program per call), all of it before the cell's probe can be planned. Cells
// are re-run far more often than they are edited, and transpileCell() is a
// pure function of the source, so the session keeps the last results by
// source text. Cells that don't parse are not kept: they throw each time.
//
// warmTranspiler() transpiles a few cells shaped like real ones while the
// kernel is idle, so even a new cell runs on V8-optimised TypeScript code
// rather than paying for its first compilation.

import { transpileCell, type TranspiledCell } from "./transpile-cell.js";

/** Enough for every cell of a long notebook; each entry holds the cell's JS and its AST (for source positions). */
const MAX_ENTRIES = 256;

const cache = new Map<string, TranspiledCell>();

/** transpileCell(source), from the cache when this source was transpiled before. */
export function transpileCellCached(source: string): TranspiledCell {
  const hit = cache.get(source);
  if (hit) {
    // Most recently used last: the first key is the one to evict.
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const cell = transpileCell(source);
  cache.set(source, cell);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return cell;
}

/** Cells exercising what cells use (await, declarations, types, a last expression); never run, only transpiled. */
const WARM_UP_CELLS = [
  `(await tracepoint("syscalls:sys_enter_getppid").events({ for: "1s" })).numRows()`,
  `const t = await syscall("read").where({ pid: 1 }).count().by("comm").run({ for: "1s" });\nt`,
  `interface Row { pid: number; comm: string }\nlet rows: Row[] = [];\nfunction f(x: number): string { return String(x); }\nclass C { n = 1 }\nfor (const r of rows) console.log(f(r.pid));`,
];

/**
 * Transpiles the warm-up cells `rounds` times, one at a time between other
 * events (never blocking the kernel for more than one transpile). Bypasses
 * the cache: its purpose is to run the transpiler's code until V8 optimises it.
 */
export function warmTranspiler(rounds = 8, isCancelled: () => boolean = () => false): void {
  let left = rounds * WARM_UP_CELLS.length;
  const step = () => {
    if (left <= 0 || isCancelled()) return;
    left--;
    try {
      transpileCell(WARM_UP_CELLS[left % WARM_UP_CELLS.length]!);
    } catch {
      return; // a warm-up is only an optimisation
    }
    setImmediate(step).unref();
  };
  setImmediate(step).unref();
}
