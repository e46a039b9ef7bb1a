// A table as Arrow IPC bytes and back, with what Arrow alone would lose kept
// in the schema's metadata: the run's `meta` (counters and declaration) and
// each column's JavaScript container (a plain Array of numbers would come back
// as a Float64Array otherwise). Int64 columns come back as BigInt, dates as
// Dates, strings as strings: the loaded table is the saved one. A DateColumn
// (a probe's `time`) is written as an Arrow timestamp in milliseconds (UTC)
// and comes back as a DateColumn.

import { table as makeTable, toArrow, type ColumnTable } from "arquero";
import {
  TimeUnit, binary, bool, float32, float64, int16, int32, int64, int8, tableFromIPC, tableToIPC, timestamp, uint16, uint32, uint64, uint8, utf8, type DataType,
} from "@uwdata/flechette";
import { DateColumn } from "./date-column.js";

/** Schema metadata keys. */
export const META_KEY = "probebook.meta";
export const CONTAINERS_KEY = "probebook.columns";
export const FORMAT_KEY = "probebook.format";
/** Bumped when the metadata's meaning changes. */
export const FORMAT_VERSION = "1";

const TYPED_ARRAYS = {
  Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
} as const;
type ContainerName = keyof typeof TYPED_ARRAYS | "Array" | "DateColumn";

/**
 * Encodes a table as an Arrow IPC file (the `.arrow` format pyarrow,
 * polars, DuckDB and arquero read), keeping its `meta` in the schema metadata
 * under "probebook.meta" (JSON).
 */
export function tableToArrowBytes(table: ColumnTable): Uint8Array {
  const containers: Record<string, ContainerName> = {};
  for (const name of table.columnNames()) containers[name] = containerOf(table.column(name));
  const meta = (table as ColumnTable & { meta?: { columnTypes?: Record<string, string> } }).meta;
  // Dates as what they are, ms since the epoch in UTC (left to inference, dates that all
  // fall on midnight would be written as days). An empty table (a filter that matched
  // nothing) has no values to infer from: every column's type comes from its container,
  // or for a plain array from the run's column types (a probe's strings), else text.
  // Bytes (tls()'s data) as Arrow binary: inferred, a Uint8Array would be a list of int8.
  const empty = table.numRows() === 0;
  const isBinary = (name: string) => meta?.columnTypes?.[name] === "binary" || table.column(name)?.at(0) instanceof Uint8Array;
  const types = Object.fromEntries(Object.entries(containers)
    .filter(([name, c]) => c === "DateColumn" || empty || (c === "Array" && isBinary(name)))
    .map(([name, c]) => [name, isBinary(name) ? binary() : arrowType(c, meta?.columnTypes?.[name])]));
  const arrow = toArrow(table, { types });
  const metadata = new Map<string, string>([
    [FORMAT_KEY, FORMAT_VERSION],
    [CONTAINERS_KEY, JSON.stringify(containers)],
  ]);
  if (meta !== undefined) metadata.set(META_KEY, stringifyMeta(meta));
  arrow.schema.metadata = metadata;
  const bytes = tableToIPC(arrow, { format: "file" });
  if (!bytes) throw new Error("encoding the table as Arrow IPC produced no bytes");
  return bytes;
}

/**
 * Decodes Arrow IPC bytes (file or stream format) into an arquero table. A
 * file saved by probebook gets its `meta` back (non-enumerable, frozen, as on
 * a probe's table) and its columns in their original containers.
 */
export function tableFromArrowBytes(bytes: Uint8Array): ColumnTable & { readonly meta?: unknown } {
  const arrow = tableFromIPC(bytes, { useBigInt: true, useDate: true });
  const metadata = arrow.schema.metadata ?? new Map<string, string>();
  const containers = parseJson(metadata.get(CONTAINERS_KEY), CONTAINERS_KEY) as Record<string, ContainerName> | undefined;
  const columns: Record<string, ArrayLike<unknown> | DateColumn> = {};
  arrow.schema.fields.forEach((field, i) => {
    const values = arrow.getChildAt(i)!.toArray() as ArrayLike<unknown>;
    columns[field.name] = restoreContainer(values, containers?.[field.name]);
  });
  const result = makeTable(columns) as ColumnTable;
  const metaText = metadata.get(META_KEY);
  if (metaText !== undefined) {
    Object.defineProperty(result, "meta", { value: Object.freeze(parseJson(metaText, META_KEY)), enumerable: false });
  }
  return result;
}

const ARROW_TYPES: Record<string, () => DataType> = {
  Int8Array: int8, Uint8Array: uint8, Int16Array: int16, Uint16Array: uint16, Int32Array: int32, Uint32Array: uint32,
  Float32Array: float32, Float64Array: float64, BigInt64Array: int64, BigUint64Array: uint64,
  int8, uint8, int16, uint16, int32, uint32, float64, bigint64: int64, biguint64: uint64, string: utf8, boolean: bool,
};

/** The Arrow type of a column held in `container` (of the run's type `columnType`, if known). */
function arrowType(container: ContainerName, columnType: string | undefined): DataType {
  if (container === "DateColumn" || columnType === "date") return timestamp(TimeUnit.MILLISECOND, "UTC");
  const make = ARROW_TYPES[container] ?? (columnType === undefined ? undefined : ARROW_TYPES[columnType]) ?? utf8;
  return make();
}

function containerOf(column: unknown): ContainerName {
  if (column instanceof DateColumn) return "DateColumn";
  for (const [name, type] of Object.entries(TYPED_ARRAYS)) if (column instanceof type) return name as ContainerName;
  return "Array";
}

function restoreContainer(values: ArrayLike<unknown>, container: ContainerName | undefined): ArrayLike<unknown> | DateColumn {
  if (container === undefined) return values;
  if (container === "Array") return Array.isArray(values) ? values : Array.from(values);
  if (container === "DateColumn") return DateColumn.from(values);
  const Type = TYPED_ARRAYS[container];
  if (!Type || values instanceof Type) return values;
  // E.g. an Int32Array saved from a filtered table was written from values, as Float64.
  return (Type as unknown as { from(v: ArrayLike<unknown>): ArrayLike<unknown> }).from(values as ArrayLike<never>);
}

/** JSON of the meta; BigInt (not in JSON) is written as a string. */
function stringifyMeta(meta: unknown): string {
  return JSON.stringify(meta, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

function parseJson(text: string | undefined, key: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`the Arrow file's "${key}" metadata is not JSON (${(error as Error).message}); the file was changed or not written by probebook`);
  }
}
