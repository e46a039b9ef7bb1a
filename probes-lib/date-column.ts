// A column of Dates that holds only epoch milliseconds: a Float64Array, 8 bytes
// a row. A million Date objects would take ~40 MB more in the sandbox; this
// makes a Date when a row is read (arquero reads columns through at(), so
// filter, derive, orderby, groupby, rollup, objects(), toHTML() and toArrow()
// all see Dates). A JS Date holds whole milliseconds: the ms array may carry a
// fraction, which a Date drops (time_ns is the precise column).

/**
 * A read-only column of Dates over epoch milliseconds (NaN reads as null).
 * What a probe result's `time` column is; `ms` is the underlying array.
 *
 * @example
 * ```ts
 * const time = new DateColumn(Float64Array.of(Date.UTC(2024, 0, 1, 12)));
 * time.at(0)?.toISOString() // "2024-01-01T12:00:00.000Z"
 * aq.table({ time }).filter((d) => op.hours(d.time) >= 12)
 * ```
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
   *
   * @example
   * ```ts
   * DateColumn.from([new Date(0), 1000, null]).ms // Float64Array [0, 1000, NaN]
   * ```
   */
  static from(values: Iterable<unknown> | ArrayLike<unknown>): DateColumn {
    const list = Array.from(values as ArrayLike<unknown>);
    return new DateColumn(Float64Array.from(list, (v) => (v instanceof Date ? v.getTime() : typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : Number.NaN)));
  }

  /** Rows in the column. @example `t.column("time").length === t.totalRows()` */
  get length(): number {
    return this.ms.length;
  }

  /**
   * The row's Date (a new object each call), or null for a missing time.
   *
   * @example
   * ```ts
   * new DateColumn(Float64Array.of(0)).at(0) // 1970-01-01T00:00:00.000Z
   * ```
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
   *
   * @example
   * ```ts
   * String(new DateColumn(Float64Array.of(0))) // "DateColumn(1) [1970-01-01T00:00:00.000Z]"
   * ```
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
 *
 * @example
 * ```ts
 * datedColumns({ time: Float64Array.of(0) }, { time: "date" }).time.at(0) // 1970-01-01T00:00:00.000Z
 * ```
 */
export function datedColumns(columns: Record<string, ArrayLike<unknown>>, columnTypes: Record<string, string>): Record<string, ArrayLike<unknown> | DateColumn> {
  const out: Record<string, ArrayLike<unknown> | DateColumn> = {};
  for (const [name, column] of Object.entries(columns)) {
    if (columnTypes[name] !== "date" || column instanceof DateColumn) out[name] = column;
    else out[name] = column instanceof Float64Array ? new DateColumn(column) : DateColumn.from(column);
  }
  return out;
}
