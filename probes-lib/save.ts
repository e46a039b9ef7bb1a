// save() and load(): a result kept next to the notebook as an Arrow IPC file,
// and read back (in this session or a later one, on a machine where probes
// can't run) as the same table, meta included.

import type { ColumnTable } from "arquero";
import type { EventsMeta } from "./events-table.js";
import { tableFromArrowBytes, tableToArrowBytes } from "./save-arrow.js";
import { savedDataHost } from "./save-host.js";

/** Options of {@link save}. */
export interface SaveOptions {
  /** Replace a file of that name (default false: an existing file is an error). */
  overwrite?: boolean;
}

/** A loaded table: `meta` is there when the table was saved with one (a probe's result). */
export type LoadedTable = ColumnTable & { readonly meta?: EventsMeta };

/** What {@link save} wrote. */
export interface SavedTable {
  /** The name as given, relative to the notebook's directory. */
  name: string;
  /** Absolute path on the kernel's machine. */
  path: string;
  rows: number;
  columns: number;
  bytes: number;
}

/**
 * Saves a table next to the notebook as an Arrow IPC file, with its `meta`
 * (the run's counters and declaration). Read it back with {@link load}; pandas
 * (`pyarrow.feather.read_table`), polars, DuckDB and arquero read it too.
 *
 * The name is relative to the notebook's directory and must end in `.arrow`;
 * absolute paths and names that lead outside that directory are refused, and
 * so is replacing a file unless `{ overwrite: true }`.
 *
 * @param table - an arquero table (a probe's result, or any derived table).
 * @param name - e.g. `"opens.arrow"` or `"data/opens-2024-05-01.arrow"`.
 * @returns where it went, and how much was written.
 *
 * @example
 * ```ts
 * const opens = await tracepoint("syscalls:sys_enter_openat").events({ for: "5s" });
 * await save(opens, "opens.arrow")
 * await save(opens.filter((d) => d.pid > 1), "opens.arrow", { overwrite: true })
 * ```
 */
export async function save(table: ColumnTable, name: string, options: SaveOptions = {}): Promise<SavedTable> {
  const at = `save(table, ${JSON.stringify(name)})`;
  const t = table as Partial<ColumnTable> | null;
  if (t === null || typeof t !== "object" || typeof t.columnNames !== "function") {
    throw new TypeError(`${at}: the first argument must be an arquero table, such as a probe's result`);
  }
  checkName(name, "save(table, name)");
  if (options === null || typeof options !== "object") throw new TypeError(`${at}: options must be an object such as { overwrite: true }`);
  const bytes = tableToArrowBytes(table);
  const info = await savedDataHost().write(name, bytes, options.overwrite === true);
  return { name, path: info.path, rows: table.numRows(), columns: table.numCols(), bytes: info.bytes };
}

/**
 * Loads a table saved with {@link save} (or any Arrow IPC file) from the
 * notebook's directory. Column types come back as they were (BigInt64,
 * Float64, strings, ...) and so does `meta`. Needs no probes: it only reads
 * the file, so a saved investigation can be re-analysed anywhere.
 *
 * @param name - the file's name relative to the notebook's directory, e.g. `"opens.arrow"`.
 * @returns the table, with `meta` when it was saved with one.
 *
 * @example
 * ```ts
 * const opens = await load("opens.arrow");
 * opens.meta?.dropped
 * opens.groupby("filename").count().orderby(aq.desc("count"))
 * ```
 */
export async function load(name: string): Promise<LoadedTable> {
  checkName(name, "load(name)");
  const bytes = await savedDataHost().read(name);
  try {
    return tableFromArrowBytes(bytes) as LoadedTable;
  } catch (error) {
    throw new Error(`load(${JSON.stringify(name)}): the file is not a readable Arrow IPC table (${(error as Error).message})`);
  }
}

function checkName(name: unknown, at: string): asserts name is string {
  if (typeof name !== "string" || name.trim() === "") {
    throw new TypeError(`${at}: the name must be a file name such as "opens.arrow", not ${name === "" ? "an empty string" : typeof name}`);
  }
}
