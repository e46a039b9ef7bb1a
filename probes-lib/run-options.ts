// The options every run of a probe takes, and what "no duration" means.

import { parseDuration } from "./duration.js";

/** A duration: `"500ms"`, `"5s"`, `"1m"`, `"1h"`, or a number of milliseconds. */
export type Duration = string | number;

/** How long a run collects. */
export interface RunOptions {
  /** How long to collect: `"500ms"`, `"5s"`, `"1m"`, or milliseconds. */
  for: Duration;
  /**
   * Measure the probe's own cost: the kernel's BPF run statistics
   * (kernel.bpf_stats_enabled) are held on for the run, and `table.meta.programs`
   * gives each program's runs and the nanoseconds spent in it. Off by default:
   * while on, every BPF program on the machine pays for a clock read per run.
   * (Example: AggregationProbe.run.)
   */
  bpfStats?: boolean;
}

/** Options of `.start()`: a background run. */
export interface StartOptions {
  /**
   * Stop by itself after this long. Without it the run goes on until
   * `run.stop()` (or the kernel shuts down).
   */
  for?: Duration;
  /**
   * The run's name (default: the probe's code, e.g. `tracepoint("sched:sched_switch").count()`).
   * Starting a run with the name of one still running stops the old one first,
   * so re-running a cell replaces its run instead of adding a second.
   */
  name?: string;
}

/** The longest run the runtime accepts (24 h): what a run "until stopped" is declared with. */
export const UNTIL_STOPPED_MS = 24 * 3600 * 1000;

/** The duration of `options.for`, or UNTIL_STOPPED_MS when there is none and that is allowed. */
export function durationOf(options: { for?: Duration } | undefined, at: string, required: boolean): number {
  if (options === null || (options !== undefined && typeof options !== "object")) {
    throw new TypeError(`${at}: pass options as an object, e.g. { for: "5s" }`);
  }
  if (options === undefined || options.for === undefined) {
    if (required) throw new TypeError(`${at}: say how long to collect, e.g. { for: "5s" } (or use .start() to run in the background until run.stop())`);
    return UNTIL_STOPPED_MS;
  }
  return parseDuration(options.for, `${at}: for`);
}
