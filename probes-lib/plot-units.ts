// Axis labels for values with a unit: log2 bucket bounds read as "1us", "2us",
// "4us" or "1K", "2K", like bpftrace's hist(), and plain values as "1.5ms".
// Log2 buckets step by powers of 1024, so "1us" on a log2 axis is 1024 ns
// (the axis title says so).

/** Units a plotted value can have; "" is a plain count. */
export type PlotUnit = "ns" | "us" | "ms" | "s" | "bytes" | "";

const TIME_UNITS = ["ns", "us", "ms", "s"] as const;

/**
 * Guesses a column's unit from its name: `*_ns`, `*_us`, `*_ms`, `*_s` are
 * times; names with bytes/size/len are sizes; anything else is a plain count.
 */
export function unitOfColumn(name: string): PlotUnit {
  const lower = name.toLowerCase();
  const suffix = /(?:^|_)(ns|us|ms|s)$/.exec(lower);
  if (suffix) return suffix[1] as PlotUnit;
  if (/bytes|size|len/.test(lower)) return "bytes";
  return "";
}

/**
 * The label of 2^exponent in `unit`, stepping by 1024: with "ns", 2^10 is
 * "1us" and 2^21 is "2ms"; with "bytes" or "", 2^10 is "1K" and 2^31 "2G".
 */
export function pow2Label(exponent: number, unit: PlotUnit): string {
  if (TIME_UNITS.includes(unit as (typeof TIME_UNITS)[number])) {
    let step = TIME_UNITS.indexOf(unit as (typeof TIME_UNITS)[number]);
    let e = exponent;
    while (e >= 10 && step < TIME_UNITS.length - 1) {
      e -= 10;
      step++;
    }
    return `${2 ** e}${TIME_UNITS[step]}`;
  }
  const prefixes = ["", "K", "M", "G", "T", "P", "E"];
  let p = 0;
  let e = exponent;
  while (e >= 10 && p < prefixes.length - 1) {
    e -= 10;
    p++;
  }
  return `${2 ** e}${prefixes[p]}`;
}

/**
 * A value in `unit`, scaled by powers of 1000 for times ("1.5ms") and 1024 for
 * sizes ("1.5K"), with at most 3 significant digits.
 */
export function formatValue(value: number, unit: PlotUnit): string {
  if (!Number.isFinite(value)) return String(value);
  if (TIME_UNITS.includes(unit as (typeof TIME_UNITS)[number])) {
    let step = TIME_UNITS.indexOf(unit as (typeof TIME_UNITS)[number]);
    let v = value;
    while (Math.abs(v) >= 1000 && step < TIME_UNITS.length - 1) {
      v /= 1000;
      step++;
    }
    return `${round3(v)}${TIME_UNITS[step]}`;
  }
  if (unit === "bytes") {
    const prefixes = ["", "K", "M", "G", "T", "P"];
    let p = 0;
    let v = value;
    while (Math.abs(v) >= 1024 && p < prefixes.length - 1) {
      v /= 1024;
      p++;
    }
    return `${round3(v)}${prefixes[p]}`;
  }
  return String(round3(value));
}

/**
 * What the log2 axis title adds, so "1us" is not read as exactly 1000 ns.
 */
export function log2Note(unit: PlotUnit): string {
  if (unit === "ns") return "log2 buckets, 1us = 1024ns";
  if (unit === "us") return "log2 buckets, 1ms = 1024us";
  if (unit === "ms") return "log2 buckets, 1s = 1024ms";
  if (unit === "bytes" || unit === "") return "log2 buckets, 1K = 1024";
  return "log2 buckets";
}

function round3(v: number): number {
  if (v === 0) return 0;
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v))));
  return Number(v.toFixed(Math.min(digits, 6)));
}
