// Closing a finished ring run's object when its detach is in nobody's way.
// The run's programs are switched off already (ring.ts, stopInKernel): while
// they stay attached they only return. A detach holds the kernel's tracepoint
// mutexes across RCU grace periods (50-90 ms; perf_trace_destroy when the
// object held the tracepoint's last perf event), and a run attaching in the
// meantime waits for them: measured here, an attach 30-40 ms into another
// object's detach took 18-30 ms instead of 0.2 ms, and the bench's warm attach
// right after a finished cell went from 9 to 40 ms. So the object closes once
// the next run has attached (its detach then leaves the tracepoint registered
// and skips those grace periods), or after IDLE_CLOSE_MS with no run starting,
// whichever comes first. Nothing outlives the kernel process: the links are
// file descriptors, and the addon's exit hook closes whatever is still open.
import type { BpfObject } from "../../native/surface.js";

/** Longest a finished run's object waits for the next run to attach before it closes anyway. */
export const IDLE_CLOSE_MS = 250;

const waiting = new Set<BpfObject>();
let timer: NodeJS.Timeout | undefined;

/** Closes `obj` (closeAsync) after the next run attached, or in IDLE_CLOSE_MS at the latest. */
export function closeWhenIdle(obj: BpfObject): void {
  waiting.add(obj);
  timer ??= setTimeout(closeWaiting, IDLE_CLOSE_MS).unref();
}

/** Every probe of a run is attached: the objects of runs that ended before it close now. */
export function closeWaiting(): void {
  if (timer) clearTimeout(timer);
  timer = undefined;
  for (const obj of waiting) void obj.closeAsync();
  waiting.clear();
}
