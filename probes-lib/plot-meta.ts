// What a probe's table says about itself that its columns don't: what was
// measured (a latency in ns, a tracepoint field) and how often a time series
// was read. Plots use it for axis titles, units and interval widths; tables
// without meta (derived or hand-made) fall back to column names.

import type { ColumnTable } from "arquero";
import { unitOfColumn, type PlotUnit } from "./plot-units.js";

/** What a histogram's buckets measure, read from the table's `meta.declaration`. */
export interface Measured {
  /** e.g. "latency" or the field name "bytes". */
  name?: string;
  unit?: PlotUnit;
  /** A time series' interval in ms; its `time` column is each interval's end. */
  everyMs?: number;
}

interface DeclarationLike {
  kind?: unknown;
  value?: { field?: unknown };
  everyMs?: unknown;
}

/**
 * Reads `meta.declaration` (if any) for the measured value's name, its unit and a series' interval.
 */
export function measuredOf(table: ColumnTable): Measured {
  const declaration = (table as ColumnTable & { meta?: { declaration?: DeclarationLike } }).meta?.declaration;
  if (!declaration || typeof declaration !== "object") return {};
  const measured: Measured = {};
  if (declaration.kind === "latency") {
    measured.name = "latency";
    measured.unit = "ns";
  } else if (typeof declaration.value?.field === "string") {
    measured.name = declaration.value.field;
    measured.unit = unitOfColumn(declaration.value.field);
  }
  if (typeof declaration.everyMs === "number" && declaration.everyMs > 0) measured.everyMs = declaration.everyMs;
  return measured;
}

interface RunMeta {
  durationMs?: number;
  explain?: { describe?: string };
}

/**
 * The plot's title: the one given (`title: ""` for none), else, for a table a
 * probe returned, what it measured and for how long ("latency of syscall read
 * by comm, 2.0 s"), from its `meta`. A table derived with arquero verbs has no
 * meta and gets no title unless given one.
 */
export function titleOf(table: ColumnTable, given: string | undefined): string | undefined {
  if (given !== undefined) return given || undefined;
  const meta = (table as ColumnTable & { meta?: RunMeta }).meta;
  const describe = meta?.explain?.describe;
  if (typeof describe !== "string" || !describe) return undefined;
  const what = describe.replace(/^hist_(log2|linear) of /, "").replace(/^the /, "");
  const ms = meta?.durationMs;
  return typeof ms === "number" && ms > 0 ? `${what}, ${ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`}` : what;
}

/** `options` with its title decided by {@link titleOf}. */
export function withTitle<O extends { title?: string }>(table: ColumnTable, options: O): O {
  if (options === null || typeof options !== "object") return options; // the plot's own check says what to pass
  const title = titleOf(table, options.title);
  return { ...options, title } as O;
}
