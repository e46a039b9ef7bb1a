// profile({ hz }): a CPU profile - every CPU sampled N times a second, with
// the kernel and user stacks of what ran, counted in the kernel.

import type { ProfileDeclaration } from "../runtime/spec/declaration.js";
import { Probe } from "./probe.js";
import { quote } from "./quote.js";
import type { ProbeTable } from "./result-table.js";
import type { RunOptions } from "./run-options.js";

/** Options of {@link profile}. */
export interface ProfileOptions {
  /** Samples per second per CPU (default 49; at most 1000). */
  hz?: number;
  /** Record kernel stacks (default true). */
  kernel?: boolean;
  /** Record user stacks (default true). */
  user?: boolean;
}

interface ProfileState {
  code: string;
  hz?: number;
  kernel?: boolean;
  user?: boolean;
  pid?: number;
}

/**
 * A CPU profile: a perf event samples every CPU `hz` times a second; each
 * sample's stacks are counted in the kernel. The table has one row per
 * (process, stacks) with its sample count and symbolized frames.
 *
 * @example
 * ```ts
 * const p = await profile({ hz: 99 }).where({ pid: 4242 }).run({ for: "10s" });
 * p.orderby(aq.desc("samples")).slice(0, 10)
 * ```
 */
export function profile(options: ProfileOptions = {}): ProfileProbe {
  const call = `profile(${Object.keys(options ?? {}).length ? quote(options) : ""})`;
  if (options === null || typeof options !== "object") throw new TypeError(`${call}: options must be an object such as { hz: 99 }`);
  if (options.hz !== undefined && (!Number.isInteger(options.hz) || options.hz < 1 || options.hz > 1000)) {
    throw new RangeError(`${call}: hz must be a whole number of samples per second from 1 to 1000`);
  }
  for (const k of ["kernel", "user"] as const) {
    if (options[k] !== undefined && typeof options[k] !== "boolean") throw new TypeError(`${call}: ${k} must be true or false`);
  }
  return new ProfileProbe({ code: call, ...options });
}

/** A CPU profile being built. Made by {@link profile}. */
export class ProfileProbe extends Probe {
  readonly #state: ProfileState;

  /** @internal use {@link profile} */
  constructor(state: ProfileState) {
    super(state.code);
    this.#state = state;
  }

  /**
   * Only samples of one process.
   *
   * @example
   * ```ts
   * profile().where({ pid: 4242 })
   * ```
   */
  where(filter: { pid?: number }): ProfileProbe {
    const at = `${this.code}.where(...)`;
    if (filter === null || typeof filter !== "object") throw new TypeError(`${at}: pass an object such as { pid: 1234 }`);
    for (const key of Object.keys(filter)) if (key !== "pid") throw new TypeError(`${at}: a profile filters by pid only`);
    if (filter.pid !== undefined && (!Number.isInteger(filter.pid) || filter.pid <= 0)) throw new RangeError(`${at}: pid must be a positive whole number, not ${quote(filter.pid)}`);
    return new ProfileProbe({ ...this.#state, pid: filter.pid, code: `${this.code}.where(${quote(filter)})` });
  }

  /**
   * Samples for the given time and resolves to the counted stacks.
   *
   * @example
   * ```ts
   * await profile({ hz: 49 }).run({ for: "5s" })
   * ```
   */
  run(options: RunOptions): Promise<ProbeTable> {
    return this.runFor(options, `${this.code}.run(...)`);
  }

  protected override declare(durationMs: number): ProfileDeclaration {
    const s = this.#state;
    const stacks = s.kernel !== undefined || s.user !== undefined ? { stacks: { ...(s.kernel !== undefined ? { kernel: s.kernel } : {}), ...(s.user !== undefined ? { user: s.user } : {}) } } : {};
    return {
      kind: "profile",
      ...(s.hz !== undefined ? { frequencyHz: s.hz } : {}),
      ...stacks,
      filter: s.pid !== undefined ? { pid: s.pid } : {},
      durationMs,
    };
  }
}
