// Wall-clock times for event rows. The kernel stamps each event with
// bpf_ktime_get_ns(): CLOCK_MONOTONIC, nanoseconds since boot (suspend not
// counted). People read dates, so every events result also gets a `time`
// column next to `time_ns`: whole epoch milliseconds (CLOCK_REALTIME), computed
// with the boot offset (REALTIME - MONOTONIC) measured on this host when the
// run starts. It travels as a Float64Array and becomes a column of Dates in the
// sandbox (probes-lib/date-column.ts); `time_ns` stays the precise one.
//
// The column type "date" says so everywhere: a time series' `time` (each
// interval's end, read with Date.now()) is the same kind of column.

import type { ColumnType } from "../templates/columns.js";

/** Column type of a wall-clock column: epoch milliseconds in a Float64Array, shown as Dates. */
export const DATE_TYPE = "date";

/** The JS storage of a result column: a template's column types, plus "date". */
export type ResultColumnType = ColumnType | typeof DATE_TYPE;

/** Where CLOCK_MONOTONIC's zero is on the wall clock, measured once per run. */
export interface BootClock {
  /** Epoch milliseconds (CLOCK_REALTIME) at CLOCK_MONOTONIC zero, with a fractional part. */
  bootEpochMs: number;
  /** How far off bootEpochMs may be, in milliseconds (half the window the measurement saw). */
  uncertaintyMs: number;
}

/** Ticks of Date.now() watched at most: the measurement keeps the best bracketed one. */
const MAX_TICKS = 20;
/** A tick bracketed this tightly (ms) ends the measurement early: nothing preempted it. */
const GOOD_ENOUGH_MS = 0.02;
/** Longest the measurement spins, in ms (a clock that doesn't tick: a frozen test clock). */
const SPIN_LIMIT_MS = 25;

/**
 * Measures the boot offset: REALTIME - MONOTONIC. Date.now() (CLOCK_REALTIME)
 * has whole milliseconds only, so a plain pair of readings would be up to
 * 1 ms off; instead this spins until Date.now() ticks over, reading
 * process.hrtime (CLOCK_MONOTONIC on Linux, the clock of bpf_ktime_get_ns())
 * on both sides of the tick: at that instant the wall clock is exactly the new
 * millisecond, so the offset is good to the few hundred nanoseconds a loop turn
 * takes. A tick during which the thread was descheduled is bracketed loosely:
 * it watches up to 20 ticks (25 ms) and keeps the tightest: usually the first
 * is tight, after ~0.5 ms of spinning; a loaded host may take a few.
 *
 * @example
 * ```ts
 * const clock = measureBootClock();
 * new Date(clock.bootEpochMs + Number(process.hrtime.bigint()) / 1e6) // about now
 * ```
 */
export function measureBootClock(): BootClock {
  let best: BootClock | undefined;
  let sameAt = process.hrtime.bigint(); // read just before a Date.now() that returned `last`
  let last = Date.now();
  const giveUp = sameAt + BigInt(SPIN_LIMIT_MS * 1e6);
  for (let ticks = 0; ticks < MAX_TICKS;) {
    const at = process.hrtime.bigint();
    const now = Date.now();
    if (now !== last) {
      // The tick fell after the last Date.now() that said `last` and before this one.
      const after = process.hrtime.bigint();
      const tick = { bootEpochMs: now - Number((sameAt + after) / 2n) / 1e6, uncertaintyMs: Number(after - sameAt) / 2e6 };
      if (!best || tick.uncertaintyMs < best.uncertaintyMs) best = tick;
      if (best.uncertaintyMs <= GOOD_ENOUGH_MS) break;
      ticks++;
      last = now;
      sameAt = at; // read just before the Date.now() that returned the new `last`
      continue;
    }
    sameAt = at;
    if (at > giveUp) break;
  }
  if (best) return best;
  const at = process.hrtime.bigint();
  return { bootEpochMs: Date.now() + 0.5 - Number(at) / 1e6, uncertaintyMs: 0.5 };
}

/** How long a measured offset is reused: the clocks drift apart by NTP slews of a few ppm at most. */
const REUSE_MS = 30_000;
let cached: { clock: BootClock; at: number } | undefined;

/**
 * The boot offset for converting a finished run's rows: measureBootClock(),
 * measured again when the last measurement is over 30 s old. Runs convert when
 * they end, so the measurement (a spin of ~0.5 ms, more on a loaded host) is
 * never on the way to attaching.
 *
 * @example
 * ```ts
 * withWallClock(table.columns, table.columnTypes, bootClock())
 * ```
 */
export function bootClock(): BootClock {
  const now = performance.now();
  if (!cached || now - cached.at > REUSE_MS) cached = { clock: measureBootClock(), at: now };
  return cached.clock;
}

/**
 * Epoch milliseconds for boot-relative nanoseconds (time_ns), in whole
 * milliseconds (floored): exactly what the Dates made from them hold, so a
 * saved and loaded table has the same numbers. time_ns keeps the rest.
 *
 * @example
 * ```ts
 * wallClockMs(Float64Array.of(5_000_400_000), { bootEpochMs: 1.7e12 + 0.7, uncertaintyMs: 0 }) // Float64Array [1700000005001]
 * ```
 */
export function wallClockMs(timeNs: ArrayLike<number>, clock: BootClock): Float64Array {
  return wallClockMsInto(new Float64Array(timeNs.length), timeNs, clock, 0, timeNs.length);
}

/** wallClockMs() for rows [from, to) into `out`: a long column converted a slice at a time. */
export function wallClockMsInto(out: Float64Array, timeNs: ArrayLike<number>, clock: BootClock, from: number, to: number): Float64Array {
  const base = clock.bootEpochMs;
  for (let i = from; i < to; i++) out[i] = Math.floor(base + timeNs[i]! / 1e6);
  return out;
}

/**
 * The columns with a `time` column (type "date") right after `time_ns`, when
 * there is a float64 time_ns and no `time` yet; otherwise as they are. Returns
 * new objects (the caller's are not changed), in the same column order.
 *
 * @example
 * ```ts
 * const table = assemble(instance, batches);
 * const { columns, columnTypes } = withWallClock(table.columns, table.columnTypes);
 * Object.keys(columns) // ["time_ns", "time", "cpu", ...]
 * ```
 */
export function withWallClock<C extends ArrayLike<unknown>>(
  columns: Record<string, C>,
  columnTypes: Readonly<Record<string, ResultColumnType>>,
  clock: BootClock = bootClock(),
  /** The `time` column already converted (wallClockMsInto(), a slice at a time). */
  time?: Float64Array,
): { columns: Record<string, C | Float64Array>; columnTypes: Record<string, ResultColumnType> } {
  const timeNs = columns.time_ns;
  if (!timeNs || "time" in columns || columnTypes.time_ns !== "float64") return { columns: { ...columns }, columnTypes: { ...columnTypes } };
  const outColumns: Record<string, C | Float64Array> = {};
  const outTypes: Record<string, ResultColumnType> = {};
  for (const [name, column] of Object.entries(columns)) {
    outColumns[name] = column;
    outTypes[name] = columnTypes[name]!;
    if (name === "time_ns") {
      outColumns.time = time ?? wallClockMs(timeNs as unknown as ArrayLike<number>, clock);
      outTypes.time = DATE_TYPE;
    }
  }
  return { columns: outColumns, columnTypes: outTypes };
}
