// A column of Dates that holds only epoch milliseconds: a Float64Array, 8 bytes
// a row. A million Date objects would take ~40 MB more in the sandbox; this
// makes a Date when a row is read (arquero reads columns through at(), so
// filter, derive, orderby, groupby, rollup, objects(), toHTML() and toArrow()
// all see Dates). A JS Date holds whole milliseconds: the ms array may carry a
// fraction, which a Date drops (time_ns is the precise column).

/**
 * A read-only column of Dates over epoch milliseconds (NaN reads as null).
 * What a probe result's `time` column is; `ms` is the underlying array.
 */
export class DateColumn {
  /** Epoch milliseconds, one per row. */
  readonly ms: Float64Array;

  constructor(ms: Float64Array) {
    if (!(ms instanceof Float64Array)) throw new TypeError("a DateColumn holds epoch milliseconds in a Float64Array");
    this.ms = ms;
  }

  /**
   * Epoch ms values of any array-like (numbers, Dates, null), e.g. from a saved file.
   */
  static from(values: Iterable<unknown> | ArrayLike<unknown>): DateColumn {
    const list = Array.from(values as ArrayLike<unknown>);
    return new DateColumn(Float64Array.from(list, (v) => (v instanceof Date ? v.getTime() : typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : Number.NaN)));
  }

  /** Rows in the column (all rows of the table, whatever its filter). */
  get length(): number {
    return this.ms.length;
  }

  /**
   * The row's Date (a new object each call), or null for a missing time.
   */
  at(row: number): Date | null {
    const v = this.ms[row];
    return v === undefined || Number.isNaN(v) ? null : new Date(v);
  }

  *[Symbol.iterator](): Iterator<Date | null> {
    for (let row = 0; row < this.ms.length; row++) yield this.at(row);
  }

  /**
   * The first rows as ISO times, for messages.
   */
  toString(): string {
    const shown = Array.from({ length: Math.min(3, this.length) }, (_, i) => this.at(i)?.toISOString() ?? "null");
    return `DateColumn(${this.length}) [${shown.join(", ")}${this.length > 3 ? ", …" : ""}]`;
  }

  /** How console.log and a cell's value show it: as toString(), not its fields. */
  [Symbol.for("probebook.inspect")](): string {
    return this.toString();
  }
}

/**
 * Columns of type "date" (epoch ms from the runtime, runtime/host/wall-clock.ts)
 * as {@link DateColumn}s; other columns stay as they are.
 */
export function datedColumns(columns: Record<string, ArrayLike<unknown>>, columnTypes: Record<string, string>): Record<string, ArrayLike<unknown> | DateColumn> {
  const out: Record<string, ArrayLike<unknown> | DateColumn> = {};
  for (const [name, column] of Object.entries(columns)) {
    if (columnTypes[name] !== "date" || column instanceof DateColumn) out[name] = column;
    else out[name] = column instanceof Float64Array ? new DateColumn(column) : DateColumn.from(column);
  }
  return out;
}
