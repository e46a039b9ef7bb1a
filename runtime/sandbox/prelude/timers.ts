// Timers for cells. The sandbox has no event loop of its own, so waiting is
// done by the host; an interrupt ends every pending wait.

import { hostSleep } from "./host-bridge.js";
import { writeStream } from "./output-buffer.js";

/**
 * Waits `ms` milliseconds.
 *
 * @throws an "Interrupted" error when the kernel is interrupted while waiting.
 *
 * @example
 * ```ts
 * await sleep(500);
 * ```
 */
export async function sleep(ms: number): Promise<void> {
  const finished = await hostSleep(Math.max(0, Number(ms) || 0));
  if (!finished) {
    const error = new Error("the wait was interrupted");
    error.name = "Interrupted";
    throw error;
  }
}

let nextTimerId = 1;
const cancelled = new Set<number>();
/** Timers waiting at most: each is a wait on the host, and a flood of them would hold its event loop. */
export const MAX_PENDING_TIMERS = 10_000;
let pending = 0;

/**
 * Calls `callback` after `ms` milliseconds (not called when the kernel is interrupted first).
 *
 * @example
 * ```ts
 * setTimeout(() => console.log("later"), 1000);
 * ```
 */
export function setTimeout<A extends unknown[]>(callback: (...args: A) => void, ms = 0, ...args: A): number {
  if (pending >= MAX_PENDING_TIMERS) {
    throw new RangeError(`setTimeout: ${MAX_PENDING_TIMERS} timers are already pending, the most a cell may have; wait for some (await sleep()) or clearTimeout() them`);
  }
  const id = nextTimerId++;
  pending++;
  void hostSleep(Math.max(0, Number(ms) || 0)).then((finished) => {
    pending--;
    if (cancelled.delete(id) || !finished) return;
    try {
      callback(...args);
    } catch (error) {
      // Nobody awaits a timer: say what happened instead of losing the error.
      writeStream("stderr", `Error in a setTimeout callback: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  });
  return id;
}

/**
 * Cancels a timer made by {@link setTimeout}.
 *
 * @example
 * ```ts
 * const id = setTimeout(() => {}, 1000);
 * clearTimeout(id);
 * ```
 */
export function clearTimeout(id: number | undefined): void {
  if (id !== undefined) cancelled.add(id);
}
