// features(): what the running kernel can do, as the runtime found out by
// trying (runtime/host/features.ts loads and attaches a tiny program per hook
// kind, creates a map per map type). The planner picks hooks from the same
// answers, so this table is why a probe got the hook it got, or an error.

import { table, type ColumnTable } from "arquero";
import { probeHost } from "./host.js";

/**
 * The feature probes of the machine the kernel runs on, one row each:
 * `feature` (tracepoint, tp_btf, kprobe, fentry, uprobe, usdt, perf_event,
 * ringbuf, ...), what it is, whether it is `available`, and where it is not,
 * the step that failed (`failed_at`: load, attach, create), the errno and why
 * a kernel can lack it.
 *
 * @example
 * ```ts
 * const f = await features();
 * f.filter((d) => d.feature === "tracepoint").get("available", 0)  // true
 * ```
 */
export async function features(): Promise<ColumnTable> {
  const rows = await probeHost().features();
  return table({
    feature: rows.map((r) => r.feature),
    what: rows.map((r) => r.title),
    available: rows.map((r) => r.available),
    failed_at: rows.map((r) => r.failedAt ?? ""),
    errno: rows.map((r) => r.code ?? ""),
    why_missing: rows.map((r) => r.missingBecause ?? ""),
  });
}
