// Turns the columns of a finished run into the arquero table a cell gets back,
// and keeps the run's counters on it so the display can show drops.

import { table, type ColumnTable } from "arquero";
import type { EventsDeclaration } from "../runtime/declaration.js";
import type { EventsPayload, RunStats } from "./host.js";

/** What a run leaves on its table, under the non-enumerable `meta` property. */
export interface EventsMeta extends RunStats {
  /** The declaration that produced the table. */
  declaration: EventsDeclaration;
  /** Column name -> the type the planner gave it. */
  columnTypes: Record<string, string>;
}

/**
 * An arquero table of events. `meta` is not a column: it holds the run's
 * counters (events seen, events dropped, duration). It is kept on this table
 * only; tables derived with arquero verbs don't carry it.
 */
export type EventsTable = ColumnTable & { readonly meta: EventsMeta };

/**
 * Builds the table for a finished events run.
 *
 * @example
 * ```ts
 * const t = eventsTable(payload, declaration);
 * t.numRows();       // payload.rowCount
 * t.meta.dropped;    // events lost to a full ring buffer
 * ```
 */
export function eventsTable(payload: EventsPayload, declaration: EventsDeclaration): EventsTable {
  const result = table(payload.columns as Record<string, ArrayLike<unknown>>) as ColumnTable;
  const meta: EventsMeta = {
    events: payload.stats.events,
    dropped: payload.stats.dropped,
    durationMs: payload.stats.durationMs,
    ...(payload.stats.stoppedBy ? { stoppedBy: payload.stats.stoppedBy } : {}),
    declaration,
    columnTypes: payload.columnTypes,
  };
  Object.defineProperty(result, "meta", { value: Object.freeze(meta), enumerable: false });
  return result as EventsTable;
}
