// Plans a CPU profile onto the profile template: perf-event sampling at N Hz on
// every CPU, counts by pid/comm/kernel stack/user stack in the kernel.
import type { HostFacts } from "../../host/facts.js";
import type { ProfileDeclaration } from "../../spec/declaration.js";
import { PlanError } from "../../spec/errors.js";
import type { PidNamespace } from "../../host/pid-namespace.js";
import type { ProfileConfig } from "./layout.js";
import { PROFILE, profileDescriptor } from "./layout.js";
import type { ProbeAttach } from "../attach-point.js";
import { checkDuration, checkPidFilter } from "../../planner/checks.js";

export interface ProfileInstance {
  template: "profile";
  object: string;
  target: string;
  programs: string[];
  rodata: { cfg: ProfileConfig };
  maps: Record<string, { maxEntries: number }>;
  attach: ProbeAttach[];
  counts: string;
  stacks: string;
  counters: { drops: string; seen: string };
  frequencyHz: number;
  durationMs: number;
}

/** Distinct (pid, stacks) keys and stacks kept; more are counted as dropped. */
const MAX_KEYS = 16384;
const MAX_STACKS = 16384;
/** kernel.perf_event_max_sample_rate's usual default is far above; this keeps overhead low. */
const MAX_HZ = 1000;

export function planProfile(decl: ProfileDeclaration, facts: HostFacts): ProfileInstance {
  const pidns = facts.pidNamespace;
  checkDuration(decl.durationMs);
  const pid = checkPidFilter(decl.filter, "the CPU profile");
  const hz = decl.frequencyHz ?? 49;
  if (!Number.isInteger(hz) || hz < 1 || hz > MAX_HZ)
    throw new PlanError("BAD_DECLARATION", `frequencyHz must be a whole number of samples per second from 1 to ${MAX_HZ}, got ${JSON.stringify(hz)}`);
  const kernel = decl.stacks?.kernel ?? true, user = decl.stacks?.user ?? true;
  return {
    template: "profile",
    object: profileDescriptor.object,
    target: `cpu-clock at ${hz} Hz on every CPU${pid ? ` (pid ${pid})` : ""}`,
    programs: [PROFILE.program],
    rodata: {
      cfg: { target_tgid: pid ?? 0, include_idle: 0, kernel_stacks: kernel ? 1 : 0, user_stacks: user ? 1 : 0,
        pidns_dev: pidns.dev, pidns_ino: pidns.ino },
    },
    maps: { [PROFILE.countsMap]: { maxEntries: MAX_KEYS }, [PROFILE.stacksMap]: { maxEntries: MAX_STACKS } },
    attach: [{ kind: "perf_event", program: PROFILE.program, frequency: hz }],
    counts: PROFILE.countsMap,
    stacks: PROFILE.stacksMap,
    counters: { drops: PROFILE.dropsMap, seen: PROFILE.seenMap },
    frequencyHz: hz,
    durationMs: decl.durationMs,
  };
}
