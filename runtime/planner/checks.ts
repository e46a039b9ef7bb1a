// The limits and checks every template's planner shares: one copy of each.
import type { Filter } from "../spec/declaration.js";
import { PlanError } from "../spec/errors.js";

/** Bytes kept of a string (NUL included), as in the tracepoint planner. */
export const STRING_MAX = 256;
/** The longest run: 24 h ("until stopped"). */
export const MAX_DURATION_MS = 24 * 3600 * 1000;
/** PID_MAX_LIMIT on 64-bit kernels. */
export const MAX_PID = 4194304;
/** Latest a record submitted without wakeup waits before the ring reader sees it. */
export const POLL_MS = 20;
/** Rows the ring reader hands over at most per batch. */
export const BATCH_ROWS = 4096;

function bad(message: string): PlanError {
  return new PlanError("BAD_DECLARATION", message);
}

export function checkDuration(d: unknown): void {
  if (typeof d !== "number" || !Number.isFinite(d) || d <= 0 || d > MAX_DURATION_MS)
    throw bad(`the duration must be a positive number of milliseconds up to 24 h, got ${JSON.stringify(d)}`);
}

export function checkLimit(limit: unknown): void {
  if (limit !== undefined && (!Number.isInteger(limit) || (limit as number) <= 0))
    throw bad(`limit must be a positive whole number of rows, got ${JSON.stringify(limit)}`);
}

/** The pid of `filter` (undefined: every process). Only pid is supported by these templates. */
export function checkPidFilter(filter: Filter | undefined, template: string): number | undefined {
  const f = filter ?? {};
  if (typeof f !== "object" || f === null) throw bad(`filter must be an object such as { pid: 1234 }`);
  for (const key of Object.keys(f))
    if (key !== "pid")
      throw new PlanError("UNSUPPORTED_FILTER", `filter.${key} is not supported by ${template} (supported: pid)`,
        { filter: key, supported: ["pid"] });
  return checkPid(f.pid);
}

/** filter.pid, when given, as a process id. */
export function checkPid(pid: unknown): number | undefined {
  if (pid !== undefined && (!Number.isInteger(pid) || (pid as number) <= 0 || (pid as number) > MAX_PID))
    throw bad(`filter.pid must be a process id (a whole number from 1 to ${MAX_PID}), got ${JSON.stringify(pid)}`);
  return pid as number | undefined;
}

/** The fastest one CPU makes events: a traced getppid() loop, measured here at 1.5-2 M/s (bench/). */
export const PEAK_EVENTS_PER_CPU_S = 2_000_000;
/** How long the ring holds that rate on every CPU while the reader is kept off the CPUs (on a
 *  2-CPU machine two producers take both; the scheduler gives the reader a slice within ms). */
export const RING_HEADROOM_MS = 25;
/** Most a ring takes for headroom: each MiB of ring costs about 0.3 ms more at load (page
 *  allocation, measured here: 512 KiB 1.5 ms, 2 MiB 2.1 ms, 16 MiB 5-10 ms), which a warm
 *  attach pays. Larger records still get room for 16 384 of them. */
export const MAX_HEADROOM_RING_BYTES = 2 * 1024 * 1024;
/** The ring of one stream never takes more than this. */
export const MAX_RING_BYTES = 64 * 1024 * 1024;
/** The smallest ring a declaration may ask for: a page. */
export const MIN_RING_BYTES = 4096;

/** A ring size a declaration asked for (`ringBytes`): a power of two from a page to
 *  MAX_RING_BYTES, what BPF_MAP_TYPE_RINGBUF accepts within our cap. */
export function requestedRingSize(requested: unknown): number {
  const n = requested as number;
  if (!Number.isInteger(n) || n < MIN_RING_BYTES || n > MAX_RING_BYTES || (n & (n - 1)) !== 0)
    throw bad(`ringBytes must be a power of two from ${MIN_RING_BYTES} (a page) to ${MAX_RING_BYTES} (64 MiB), got ${JSON.stringify(requested)}`);
  return n;
}

/**
 * Ring bytes, a power of two from 256 KiB to 64 MiB: room for 16 384 records, and for
 * RING_HEADROOM_MS of PEAK_EVENTS_PER_CPU_S on each of `cpus` CPUs up to
 * MAX_HEADROOM_RING_BYTES. Each record carries an 8-byte ring header.
 */
export function ringSize(eventSize: number, cpus = 1): number {
  const slot = eventSize + 8;
  const forRate = Math.min(MAX_HEADROOM_RING_BYTES, slot * cpus * PEAK_EVENTS_PER_CPU_S * (RING_HEADROOM_MS / 1000));
  const want = Math.max(slot * 16384, forRate);
  let size = 256 * 1024;
  while (size < want && size < MAX_RING_BYTES) size *= 2;
  return size;
}
