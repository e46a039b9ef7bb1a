// Latencies as people read them: a latency probe's values are nanoseconds,
// which a table of 7-digit numbers hides. In the table's text and HTML views
// only (the columns keep their numbers for queries): slow pairs
// (`.events({ over })`) get a "latency" column such as 1.23ms beside
// latency_ns; a latency's sum, min, max and avg show as times. Which tables
// get them is read from what the table is (its meta), never guessed from
// column names.

import { escape, type ColumnTable } from "arquero";
import { readable } from "../../plot/text/fit.js";

interface LatencyMeta {
  declaration?: { kind?: unknown; thresholdNs?: unknown; value?: { op?: unknown } };
}

/** The label column shown before a slow pair's latency_ns. */
export const LATENCY_COLUMN = "latency";
/** A latency aggregation's columns that hold nanoseconds. */
const TIME_VALUES = ["sum", "min", "max", "avg"];

/** The table to show for `table`: latencies as times where it is a latency probe's, else `table` itself. */
export function withDurationLabels(table: ColumnTable): ColumnTable {
  const declaration = (table as ColumnTable & { meta?: LatencyMeta }).meta?.declaration;
  if (declaration?.kind !== "latency") return table;
  const names = table.columnNames();
  const time = (v: unknown) => (typeof v === "number" ? readable(v, "ns") : v);
  if (names.includes("latency_ns") && !names.includes(LATENCY_COLUMN)) {
    return table.derive({ [LATENCY_COLUMN]: escape((d: { latency_ns: unknown }) => time(d.latency_ns)) })
      .relocate(LATENCY_COLUMN, { before: "latency_ns" });
  }
  const op = declaration.value?.op;
  if (op === "count" || op === "hist_log2" || op === "hist_linear") return table;
  const shown = TIME_VALUES.filter((n) => names.includes(n));
  return shown.length ? table.derive(Object.fromEntries(shown.map((n) => [n, escape((d: Record<string, unknown>) => time(d[n]))]))) : table;
}
