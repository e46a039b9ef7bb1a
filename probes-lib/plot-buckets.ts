// Buckets for histograms and heatmaps. Log buckets follow the runtime's
// in-kernel histograms (runtime/planner/aggregation.ts bucketBounds): slot 0
// holds [0, 1) (or everything below 1 for signed values), then each power of
// two p is split into `per` sub-buckets [ceil(p + p*i/per), ceil(p + p*(i+1)/per)),
// per = 1 being bpftrace's plain log2 hist(). Tables that hold bucket bounds
// are matched against that scheme, so empty buckets in between can be shown;
// anything else is read as linear buckets.

import { formatValue, pow2Label, type PlotUnit } from "./plot-units.js";

/** One bucket on an axis. */
export interface Bucket {
  /** Lower bound (inclusive); -Infinity for an open "below" bucket. */
  low: number;
  /** Upper bound (exclusive), when known; Infinity for an open "above" bucket. */
  high?: number;
  /** The axis category: "1us" for powers of two, the exact value otherwise. Unique within a scale. */
  label: string;
  /** The exact lower bound as text, for tooltips ("1.02us" for 1024 ns). */
  from: string;
  /** Position on the axis, smallest first. */
  order: number;
}

/** How a table's buckets are laid out. */
export interface BucketScale {
  /** Every bucket from the smallest to the largest present, empty ones included where the scheme is known. */
  buckets: Bucket[];
  /** The bucket a row's bounds belong to. */
  bucketOf(low: number, high?: number): Bucket;
  /** True for log buckets (axis titled "log2 buckets"). */
  log: boolean;
  /** Axis labels to show when not all fit (the powers of two of a log scale with sub-buckets). */
  tickLabels?: string[];
}

/**
 * The log slot of a value for `per` sub-buckets per power of two: 0 below 1, else 1 + e*per + sub.
 */
export function logSlot(value: number | bigint, per = 1): number {
  if (typeof value === "bigint") {
    if (value < 1n) return 0;
    const e = value.toString(2).length - 1;
    if (per === 1) return 1 + e;
    return logSlot(Number(value), per);
  }
  if (!(value >= 1)) return 0;
  let e = Math.floor(Math.log2(value));
  // Math.log2 rounds up just below powers of two (log2(2**53 - 1) is 53).
  if (2 ** e > value) e--;
  const p = 2 ** e;
  let sub = Math.floor(((value - p) * per) / p);
  // Bounds are rounded up to integers: a value below a bucket's ceiling belongs to the one before.
  while (sub > 0 && Math.ceil(p + (p * sub) / per) > value) sub--;
  return 1 + e * per + Math.min(per - 1, sub);
}

/**
 * The bounds of a log slot (the runtime's bucketBounds for log histograms).
 */
export function logSlotBounds(slot: number, per = 1, signed = false): [number, number] {
  if (slot === 0) return [signed ? -Infinity : 0, 1];
  const e = Math.floor((slot - 1) / per);
  const sub = (slot - 1) % per;
  const p = 2 ** e;
  return [Math.ceil(p + (p * sub) / per), Math.ceil(p + (p * (sub + 1)) / per)];
}

/**
 * The bucket of a log slot, labelled for the axis.
 */
export function logBucket(slot: number, per: number, unit: PlotUnit, signed = false): Bucket {
  const [low, high] = logSlotBounds(slot, per, signed);
  const from = low === -Infinity ? "<1" : low === 0 ? "0" : formatValue(low, unit);
  const exponent = Math.log2(low);
  const label = low === -Infinity ? "<1" : low === 0 ? "0" : Number.isInteger(exponent) ? pow2Label(exponent, unit) : from;
  return { low, high, label, from, order: slot };
}

/**
 * Log buckets from slot `from` to slot `to`, skipping slots too narrow to hold an integer.
 */
export function logScale(from: number, to: number, per: number, unit: PlotUnit, signed = false): BucketScale {
  const buckets: Bucket[] = [];
  const bySlot = new Map<number, Bucket>();
  for (let slot = from; slot <= to; slot++) {
    const bucket = logBucket(slot, per, unit, signed);
    if (slot > 0 && bucket.low === bucket.high) continue;
    buckets.push(bucket);
    bySlot.set(slot, bucket);
  }
  const tickLabels = per > 1 ? buckets.filter((b) => b.low <= 0 || Number.isInteger(Math.log2(b.low))).map((b) => b.label) : undefined;
  return {
    buckets,
    log: true,
    ...(tickLabels ? { tickLabels } : {}),
    bucketOf: (low) => bySlot.get(logSlot(low, per)) ?? logBucket(logSlot(low, per), per, unit, signed),
  };
}

/**
 * Reads bucket bounds from a table: log buckets with 1, 2, 4 or 8 sub-buckets
 * per power of two when every bound fits that scheme, else linear buckets
 * (filled in between when they all have the same width).
 */
export function scaleFromBounds(lows: readonly number[], highs: readonly (number | undefined)[] | undefined, unit: PlotUnit): BucketScale {
  const finite = lows.map((low, i) => ({ low, high: highs?.[i] })).filter((b) => Number.isFinite(b.low) || b.low === -Infinity);
  if (finite.length === 0) return { buckets: [], log: false, bucketOf: (low) => linearBucket(low, undefined, unit) };
  for (const per of [1, 2, 4, 8]) {
    const fits = finite.every(({ low, high }) => {
      if (low === -Infinity) return high === undefined || high === 1;
      if (low === 0) return high === undefined || high === 1;
      if (low < 1 || !Number.isInteger(low)) return false;
      const [l, h] = logSlotBounds(logSlot(low, per), per);
      return l === low && (high === undefined || h === high);
    });
    if (!fits) continue;
    const signed = finite.some((b) => b.low === -Infinity);
    const slots = finite.map((b) => (b.low === -Infinity ? 0 : logSlot(b.low, per)));
    return logScale(Math.min(...slots), Math.max(...slots), per, unit, signed);
  }
  return linearScale(finite, unit);
}

function linearScale(bounds: { low: number; high: number | undefined }[], unit: PlotUnit): BucketScale {
  const byLow = new Map<number, Bucket>();
  for (const { low, high } of bounds) if (!byLow.has(low)) byLow.set(low, linearBucket(low, high, unit));
  const widths = new Set(bounds.filter((b) => Number.isFinite(b.low) && b.high !== undefined && Number.isFinite(b.high)).map((b) => b.high! - b.low));
  const inner = [...byLow.keys()].filter(Number.isFinite).sort((a, b) => a - b);
  if (widths.size === 1 && inner.length > 1) {
    const step = [...widths][0]!;
    const count = Math.round((inner[inner.length - 1]! - inner[0]!) / step);
    if (step > 0 && count <= 1000) {
      for (let i = 0; i <= count; i++) {
        const low = inner[0]! + i * step;
        if (!byLow.has(low)) byLow.set(low, linearBucket(low, low + step, unit));
      }
    }
  }
  const buckets = [...byLow.values()].sort((a, b) => a.order - b.order);
  return { buckets, log: false, bucketOf: (low, high) => byLow.get(low) ?? linearBucket(low, high, unit) };
}

function linearBucket(low: number, high: number | undefined, unit: PlotUnit): Bucket {
  const label = low === -Infinity ? `<${formatValue(high ?? Number.NaN, unit)}` : high === Infinity ? `≥${formatValue(low, unit)}` : formatValue(low, unit);
  return { low, ...(high !== undefined ? { high } : {}), label, from: label, order: low };
}

/**
 * `count` equal-width buckets from `min` to `max`, for raw values.
 */
export function linearBins(min: number, max: number, count: number, unit: PlotUnit): { buckets: Bucket[]; indexOf(v: number): number } {
  const width = max > min ? (max - min) / count : 1;
  const buckets: Bucket[] = [];
  for (let i = 0; i < count; i++) {
    const low = min + i * width;
    const label = formatValue(low, unit);
    buckets.push({ low, high: low + width, label, from: label, order: i });
  }
  uniqueLabels(buckets);
  return { buckets, indexOf: (v) => Math.min(count - 1, Math.max(0, Math.floor((v - min) / width))) };
}

/** Axis labels made unique (rounding can make two linear bounds print alike). */
function uniqueLabels(buckets: Bucket[]): void {
  const seen = new Map<string, number>();
  for (const b of buckets) {
    const n = seen.get(b.label) ?? 0;
    seen.set(b.label, n + 1);
    if (n > 0) b.label = `${b.label} (${n + 1})`;
  }
}
