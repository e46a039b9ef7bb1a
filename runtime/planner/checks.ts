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

/** Ring bytes: room for ~16k events, a power of two from 256 KiB to 64 MiB. */
export function ringSize(eventSize: number): number {
  const want = (eventSize + 8) * 16384; // each record carries an 8-byte ring header
  let size = 256 * 1024;
  while (size < want && size < 64 * 1024 * 1024) size *= 2;
  return size;
}
