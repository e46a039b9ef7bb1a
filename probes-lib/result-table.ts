// Turns the columns of a finished run into the arquero table a cell gets back,
// and keeps the run's counters on it so the display can show drops. Columns of
// type "date" (epoch ms: events' `time`, a time series' `time`) become Dates.

import { table, type ColumnTable } from "arquero";
import { datedColumns } from "./date-column.js";
import type { ExplainData } from "../runtime/spec/explain-data.js";
import type { AnyDeclaration, ResultPayload, RunStats } from "../runtime/spec/protocol.js";

/** What a run leaves on its table, under the non-enumerable `meta` property. */
export interface ProbeMeta extends RunStats {
  /** The declaration that produced the table. */
  declaration: AnyDeclaration;
  /** Column name -> the type the planner gave it. */
  columnTypes: Record<string, string>;
  /** How the runtime ran it: template, configuration, maps (see explain()). */
  explain?: ExplainData;
  /** A snapshot of a background run that was still running. */
  partial?: boolean;
}

/**
 * An arquero table of probe results. `meta` is not a column: it holds the
 * run's counters (events seen, events dropped, duration) and its plan. It is
 * kept on this table only; tables derived with arquero verbs don't carry it.
 */
export type ProbeTable = ColumnTable & { readonly meta: ProbeMeta };

/**
 * Builds the table for a run's payload. A column of type "date" (epoch
 * milliseconds) becomes a DateColumn (probes-lib/date-column.ts): its rows read as Dates, while
 * only the Float64Array of milliseconds is kept.
 */
export function resultTable(payload: ResultPayload, declaration: AnyDeclaration, extra: Partial<ProbeMeta> = {}): ProbeTable {
  const columns = datedColumns(payload.columns as Record<string, ArrayLike<unknown>>, payload.columnTypes);
  return withMeta(table(columns) as ColumnTable, {
    ...payload.stats,
    declaration,
    columnTypes: payload.columnTypes,
    ...(payload.explain ? { explain: payload.explain } : {}),
    ...extra,
  });
}

/**
 * Puts `meta` on a table (non-enumerable, frozen), e.g. after reshaping a result.
 */
export function withMeta(t: ColumnTable, meta: ProbeMeta): ProbeTable {
  Object.defineProperty(t, "meta", { value: Object.freeze({ ...meta }), enumerable: false, configurable: true });
  return t as ProbeTable;
}
