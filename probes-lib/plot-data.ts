// Reading table columns for plots: checks the names a cell gave (listing the
// real ones when a name is wrong), turns BigInt into Number (JSON, and so a
// Vega-Lite spec, can't hold BigInt), and reads time columns as dates or as
// seconds since the first sample.

import type { ColumnTable } from "arquero";
import type { PlotUnit } from "./plot-units.js";

/** Rows a plot's spec carries at most; more are left out and the text says so. */
export const MAX_PLOT_ROWS = 5000;

/** Where an error happened, e.g. `plot.line(table, ...)`, for messages. */
export type PlotCall = string;

/**
 * Checks that `table` is an arquero table.
 */
export function requireTable(table: unknown, at: PlotCall): ColumnTable {
  const t = table as Partial<ColumnTable> | null;
  if (t === null || typeof t !== "object" || typeof t.columnNames !== "function" || typeof t.array !== "function") {
    throw new TypeError(`${at}: the first argument must be an arquero table (what a probe returns, or aq.table({...})), not ${describeValue(table)}`);
  }
  return table as ColumnTable;
}

/**
 * Checks that the column exists; the error lists the table's columns.
 */
export function requireColumn(table: ColumnTable, name: unknown, at: PlotCall, role: string): string {
  const names = table.columnNames();
  if (typeof name !== "string") {
    throw new TypeError(`${at}: ${role} must be a column name (a string); the table's columns are: ${names.join(", ")}`);
  }
  if (!names.includes(name)) {
    throw new RangeError(`${at}: the table has no column "${name}" (for ${role}); its columns are: ${names.join(", ")}`);
  }
  return name;
}

/**
 * The first of `candidates` the table has, if any.
 */
export function findColumn(table: ColumnTable, candidates: readonly string[]): string | undefined {
  const names = table.columnNames();
  return candidates.find((c) => names.includes(c));
}

/**
 * A column's values in the table's current row order (filters and orderby respected).
 */
export function columnValues(table: ColumnTable, name: string): unknown[] {
  return Array.from(table.array(name) as ArrayLike<unknown>);
}

/**
 * A numeric column as numbers; BigInt becomes Number, anything non-numeric is an error.
 */
export function numericValues(table: ColumnTable, name: string, at: PlotCall): number[] {
  return columnValues(table, name).map((v, row) => {
    if (typeof v === "number") return v;
    if (typeof v === "bigint") return Number(v);
    if (v === null || v === undefined) return Number.NaN;
    if (v instanceof Date) return v.getTime();
    throw new TypeError(`${at}: column "${name}" must hold numbers, but row ${row} is ${describeValue(v)}`);
  });
}

/**
 * A value as a category label: strings stay, numbers and BigInt print, null is "(null)".
 */
export function labelOf(value: unknown): string {
  if (value === null || value === undefined) return "(null)";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.join(";");
  return String(value);
}

/** How an axis reads a time or number column. */
export interface AxisValues {
  /** Values as numbers: epoch ms for dates, seconds for relative times, else the values. */
  values: number[];
  /** "temporal": dates, drawn on a UTC time scale ({@link TEMPORAL_SCALE}), as tables show them. */
  type: "temporal" | "quantitative";
  title: string;
  unit: PlotUnit;
}

const SECONDS_PER: Record<string, number> = { ns: 1e9, us: 1e6, ms: 1e3, s: 1 };
/** Epoch times in ns after 1973 are above this; boot-relative clocks stay far below it. */
const EPOCH_NS_FLOOR = 1e17;
/** Epoch milliseconds between 2001 and 5138: what Date.now() gives. */
const EPOCH_MS_FLOOR = 1e12;
const EPOCH_MS_CEILING = 1e14;

/** The scale of a temporal axis: UTC, the clock the table display shows dates in. */
export const TEMPORAL_SCALE = { type: "utc" } as const;

/** A tooltip's date with milliseconds (in UTC: vega formats by the field's scale, which is UTC). */
export const TEMPORAL_TOOLTIP = { format: "%H:%M:%S.%L" } as const;

/** A Vega-Lite DateTime in UTC (month is 1-based). */
export interface UtcDateTime {
  utc: true;
  year: number;
  month: number;
  date: number;
  hours: number;
  minutes: number;
  seconds: number;
  milliseconds: number;
}

/** Tick steps of a time axis, in ms: round sub-second steps, then seconds, minutes, hours, days. */
const TIME_STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 250, 500,
  1e3, 2e3, 5e3, 10e3, 15e3, 30e3,
  60e3, 120e3, 300e3, 600e3, 900e3, 1800e3,
  3600e3, 7200e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3,
  86400e3, 2 * 86400e3, 7 * 86400e3, 14 * 86400e3, 28 * 86400e3,
];
const DAY_MS = 86400e3;

/**
 * Ticks and a label format for a UTC time axis over [min, max] (epoch ms):
 * at most `maxTicks` ticks on round UTC times (…, 250 ms, 500 ms, 1 s, 2 s,
 * 5 s, …, 1 min, …, 1 h, …, 1 day), labelled with as much as the step needs
 * (milliseconds for sub-second steps). Vega's own time ticks land on odd
 * instants (.900, .900) for spans of seconds, and label minutes on a 12-hour
 * clock; plots of probe times give their ticks explicitly instead.
 */
export function temporalAxis(min: number, max: number, maxTicks = 9): { values: UtcDateTime[]; format: string } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { values: [], format: "%H:%M:%S.%L" };
  const span = Math.max(0, max - min);
  const step = TIME_STEPS_MS.find((s) => Math.floor(max / s) - Math.ceil(min / s) + 1 <= maxTicks)
    ?? Math.ceil(span / (maxTicks - 1) / DAY_MS) * DAY_MS;
  const values: UtcDateTime[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) values.push(utcDateTime(t));
  const days = Math.floor(max / DAY_MS) - Math.floor(min / DAY_MS);
  const format = step >= DAY_MS ? "%Y-%m-%d"
    : days > 0 ? (step >= 60e3 ? "%b %d %H:%M" : "%b %d %H:%M:%S")
    : step >= 60e3 ? "%H:%M" : step >= 1e3 ? "%H:%M:%S" : "%H:%M:%S.%L";
  return { values, format };
}

function utcDateTime(ms: number): UtcDateTime {
  const d = new Date(ms);
  return {
    utc: true, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, date: d.getUTCDate(),
    hours: d.getUTCHours(), minutes: d.getUTCMinutes(), seconds: d.getUTCSeconds(), milliseconds: d.getUTCMilliseconds(),
  };
}

/**
 * The x encoding of a time or number axis: a temporal one on a UTC scale with
 * explicit ticks ({@link temporalAxis}); a quantitative one as `quantitative`.
 */
export function xEncoding(field: string, xs: AxisValues, quantitativeScale: Record<string, unknown>, domain: number[] = xs.values): Record<string, unknown> {
  if (xs.type === "quantitative") return { field, type: "quantitative", title: xs.title, scale: quantitativeScale };
  const finite = domain.filter(Number.isFinite);
  const min = finite.reduce((m, v) => Math.min(m, v), Infinity);
  const max = finite.reduce((m, v) => Math.max(m, v), -Infinity);
  return { field, type: "temporal", title: xs.title, scale: TEMPORAL_SCALE, axis: temporalAxis(min, max) };
}

/**
 * Reads a column for the x axis of a time plot. Dates stay dates (a probe's
 * `time` column, shown in UTC: the title says so), and so do
 * epoch milliseconds in a column named like `time`. A column named
 * `*_ns`/`*_us`/`*_ms` that holds clock readings becomes
 * dates when they are wall-clock (epoch) times, and seconds since the first
 * row when they come from a boot-relative clock such as bpf_ktime_get_ns().
 */
export function axisValues(table: ColumnTable, name: string, at: PlotCall): AxisValues {
  const raw = columnValues(table, name);
  if (raw.length > 0 && raw.every((v) => v instanceof Date || v === null)) {
    return { values: raw.map((v) => (v ? (v as Date).getTime() : Number.NaN)), type: "temporal", title: `${name} (UTC)`, unit: "" };
  }
  const unit = /(?:^|_)(ns|us|ms)$/.exec(name.toLowerCase())?.[1];
  if (!unit) {
    const values = numericValues(table, name, at);
    // A "time" column of epoch milliseconds (Date.now(), as a time series' interval ends are).
    const finite = values.filter(Number.isFinite);
    if (/time|date|^ts$/i.test(name) && finite.length > 0 && finite.every((v) => v >= EPOCH_MS_FLOOR && v < EPOCH_MS_CEILING)) {
      return { values, type: "temporal", title: `${name} (UTC)`, unit: "" };
    }
    return { values, type: "quantitative", title: name, unit: "" };
  }
  const perSecond = SECONDS_PER[unit]!;
  const numbers = raw.filter((v) => typeof v === "number" || typeof v === "bigint") as (number | bigint)[];
  if (numbers.length === 0) return { values: numericValues(table, name, at), type: "quantitative", title: name, unit: unit as PlotUnit };
  const toNs = (v: number | bigint) => Number(v) * (1e9 / perSecond);
  const max = numbers.reduce<number>((m, v) => Math.max(m, toNs(v)), -Infinity);
  if (max >= EPOCH_NS_FLOOR) {
    return { values: raw.map((v) => (v === null || v === undefined ? Number.NaN : toNs(v as number | bigint) / 1e6)), type: "temporal", title: `${name} (UTC)`, unit: "" };
  }
  // Subtract as BigInt first: nanosecond clock readings lose their low digits as doubles.
  const first = numbers.reduce((m, v) => (v < m ? v : m));
  const values = raw.map((v) => {
    if (typeof v === "bigint") return Number(v - BigInt(first)) / perSecond;
    if (typeof v === "number") return (v - Number(first)) / perSecond;
    return Number.NaN;
  });
  return { values, type: "quantitative", title: `${name.replace(/_(ns|us|ms)$/, "")} (s since first row)`, unit: "s" };
}

/**
 * Keeps at most `max` items; says how many there were.
 */
export function capRows<T>(rows: T[], max = MAX_PLOT_ROWS): { rows: T[]; total: number; capped: boolean } {
  return rows.length > max ? { rows: rows.slice(0, max), total: rows.length, capped: true } : { rows, total: rows.length, capped: false };
}

/**
 * Axis options for whole counts up to `max`: below 8, one tick per integer
 * (vega would put ticks at 0.5 steps); above, vega's own ticks are whole.
 */
export function wholeCountAxis(max: number): { values?: number[]; format?: string } {
  if (!(max >= 0) || max > 8) return {};
  return { values: Array.from({ length: Math.ceil(max) + 1 }, (_, i) => i), format: "d" };
}

/**
 * A count with thousands separators.
 */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * A value described for an error message.
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
  if (typeof value === "object") return `an object (${(value as object).constructor?.name ?? "Object"})`;
  return `${typeof value} ${String(value)}`;
}
