// Durations in cells are written the way people say them ("500ms", "5s", "1m")
// or as a plain number of milliseconds. Everything below the builders works in
// whole milliseconds.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Turns a duration into milliseconds.
 *
 * Accepts a number of milliseconds or a string made of a number and a unit:
 * `ms`, `s`, `m` or `h` (fractions allowed, e.g. `"1.5s"`). The result must be
 * at least 1 ms.
 *
 * @param duration - `"500ms"`, `"5s"`, `"1m"`, `"1.5h"` or a number of milliseconds.
 * @param what - how the caller names the value, used in the error message.
 * @returns whole milliseconds.
 * @throws RangeError when the duration can't be read, quoting it and showing valid forms.
 *
 * @example
 * ```ts
 * parseDuration("5s")    // 5000
 * parseDuration("500ms") // 500
 * parseDuration(250)     // 250
 * ```
 */
export function parseDuration(duration: string | number, what = "duration"): number {
  if (typeof duration === "number") {
    if (!Number.isFinite(duration) || duration < 1) {
      throw new RangeError(`${what} ${duration} is not a usable number of milliseconds: use a positive number such as 500, or a string such as "5s"`);
    }
    return Math.round(duration);
  }
  if (typeof duration !== "string") {
    throw new TypeError(`${what} must be a string such as "5s" or a number of milliseconds, not ${describe(duration)}`);
  }
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)\s*$/.exec(duration);
  if (!match) {
    throw new RangeError(`${what} "${duration}" is not a duration: write a number and a unit, e.g. "500ms", "5s", "1m" or "1h"`);
  }
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
  if (ms < 1) {
    throw new RangeError(`${what} "${duration}" is shorter than 1 ms: use at least "1ms"`);
  }
  return ms;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

const UNIT_NS: Record<string, number> = { ns: 1, us: 1_000, ms: 1_000_000, s: 1_000_000_000 };

/**
 * Turns a short time (a latency threshold) into nanoseconds: a number of
 * nanoseconds, or a number and a unit `ns`, `us`, `ms` or `s`.
 */
export function parseNanoseconds(time: string | number, what = "time"): number {
  if (typeof time === "number") {
    if (!Number.isSafeInteger(time) || time < 0) {
      throw new RangeError(`${what} ${time} is not a usable number of nanoseconds: use a whole number such as 1000000, or a string such as "1ms"`);
    }
    return time;
  }
  const match = typeof time === "string" ? /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|ms|s)\s*$/.exec(time) : null;
  if (!match) {
    throw new RangeError(`${what} ${JSON.stringify(time)} is not a time: write a number and a unit, e.g. "500ns", "250us", "1ms" or "1s"`);
  }
  return Math.round(Number(match[1]) * UNIT_NS[match[2]!]!);
}
