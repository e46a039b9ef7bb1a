// The names events results had first; every result is now a ProbeTable.

import type { EventsDeclaration } from "../runtime/spec/declaration.js";
import type { ResultPayload } from "../runtime/spec/protocol.js";
import { resultTable, type ProbeMeta, type ProbeTable } from "./result-table.js";

/** What a run leaves on its table (see {@link ProbeMeta}). */
export type EventsMeta = ProbeMeta;

/** A table of events (see {@link ProbeTable}). */
export type EventsTable = ProbeTable;

/**
 * Builds the table for a finished events run.
 */
export function eventsTable(payload: ResultPayload, declaration: EventsDeclaration): EventsTable {
  return resultTable(payload, declaration);
}
