// Bucket ranges as bpftrace prints them: "[1K, 2K)", "[256us, 320us)",
// "(..., 0)", "[100, ...)", "[1]" for a bucket that holds one integer. Log2
// buckets count in powers of 1024 (1us is 1024 ns, 1K is 1024), so their
// bounds read exactly; linear buckets read in the unit's usual steps (1000
// for times, 1024 for sizes). Plots and histogram tables both use these.

import type { PlotUnit } from "../../../probes-lib/plot-units.js";
import { readable } from "./fit.js";

const TIME_UNITS = ["ns", "us", "ms", "s"] as const;
const PREFIXES = ["", "K", "M", "G", "T", "P", "E"] as const;

/**
 * A log2 bucket bound in powers of 1024: 1048576 ns is "1ms", 327680 ns
 * "320us", 1536 bytes "1.5K".
 *
 * @example
 * ```ts
 * [binaryValue(1048576, "ns"), binaryValue(327680, "ns"), binaryValue(1536, "bytes"), binaryValue(3, "")] // ["1ms", "320us", "1.5K", "3"]
 * ```
 */
export function binaryValue(value: number, unit: PlotUnit): string {
  if (!Number.isFinite(value)) return String(value);
  const time = (TIME_UNITS as readonly string[]).indexOf(unit);
  const names: readonly string[] = time >= 0 ? TIME_UNITS.slice(time) : PREFIXES;
  let step = 0;
  let v = value;
  while (Math.abs(v) >= 1024 && step < names.length - 1) {
    v /= 1024;
    step++;
  }
  // Sub-buckets (up to 8 a power of two) are multiples of 1/8: three decimals are exact.
  return `${Number(v.toFixed(3))}${names[step]}`;
}

/**
 * The bucket [low, high) as text. `high` undefined means the bucket has no
 * known end (the last of a table without upper bounds).
 *
 * @example
 * ```ts
 * bucketLabel(1024, 2048, "", true)        // "[1K, 2K)"
 * bucketLabel(262144, 327680, "ns", true)  // "[256us, 320us)"
 * bucketLabel(-Infinity, 0, "", false)     // "(..., 0)"
 * bucketLabel(1, 2, "", true)              // "[1]"
 * ```
 */
export function bucketLabel(low: number, high: number | undefined, unit: PlotUnit, log: boolean): string {
  const value = (v: number) => (log ? binaryValue(v, unit) : readable(v, unit));
  if (low === -Infinity) return high === undefined || high === Infinity ? "(..., ...)" : `(..., ${value(high)})`;
  if (high === undefined || high === Infinity) return `[${value(low)}, ...)`;
  if (Number.isInteger(low) && high === low + 1) return `[${value(low)}]`;
  return `[${value(low)}, ${value(high)})`;
}
