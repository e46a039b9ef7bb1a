// profile: CPU stacks sampled by a perf event on every CPU, counted in the kernel.
import type { ProfileDeclaration } from "../../spec/declaration.js";
import type { Template } from "../template.js";
import { profileDescriptor } from "./layout.js";
import { planProfile, type ProfileInstance } from "./plan.js";

export const profile: Template<ProfileInstance> = {
  name: "profile",
  descriptor: profileDescriptor,
  reader: "profile",
  serves: (d) => d.kind === "profile",
  plan: (d, facts) => planProfile(d as ProfileDeclaration, facts),
  requires: [
    { feature: "perf_event", alternative: "A CPU profile needs perf-event sampling; count sched:sched_switch per process instead." },
    { feature: "stack_trace", alternative: "Profile without stacks: stacks: { kernel: false, user: false }." },
  ],
  why: (p) => `A CPU profile: a perf event samples every CPU ${p.frequencyHz} times a second; each sample's kernel and user stacks go to a stack map, and counts per (pid, stacks) are kept in the kernel.`,
};
