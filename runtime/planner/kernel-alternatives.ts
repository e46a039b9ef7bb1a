// What to use instead of a kprobe/fentry on a kernel function when the kernel
// cannot attach one: a tracepoint that sees the same events. A few well-known
// functions are listed; syscall implementations map to their syscalls:*
// tracepoint; otherwise tracepoints whose name contains the function's.
import { closestNames } from "../spec/closest-names.js";
import type { FeatureSource } from "../host/features.js";
import { FeatureUnavailableError } from "../host/features.js";
import { kallsyms } from "../host/kallsyms.js";
import { PlanError } from "../spec/errors.js";
import type { TracefsSource } from "../host/tracefs.js";

/** Names of the kernel's own functions (kallsyms' text symbols, modules left out), read once. */
let kernelFunctions: Set<string> | undefined;

/** Throws UNKNOWN_SYMBOL, with the closest names, unless the running kernel has function `fn`. */
export function requireKernelFunction(fn: string): void {
  kernelFunctions ??= new Set(kallsyms().filter((s) => s.module === "").map((s) => s.name));
  if (kernelFunctions.has(fn)) return;
  const near = closestNames(fn, [...kernelFunctions]);
  throw new PlanError("UNKNOWN_SYMBOL",
    `The kernel has no function "${fn}" (not in /proc/kallsyms).${near.length ? ` Closest: ${near.join(", ")}.` : ""}`,
    { function: fn, suggestions: near });
}

const KNOWN: Readonly<Record<string, string>> = {
  do_sys_openat2: "syscalls:sys_enter_openat",
  do_sys_open: "syscalls:sys_enter_openat",
  vfs_open: "syscalls:sys_enter_openat",
  vfs_read: "syscalls:sys_enter_read",
  vfs_write: "syscalls:sys_enter_write",
  ksys_read: "syscalls:sys_enter_read",
  ksys_write: "syscalls:sys_enter_write",
  tcp_connect: "sock:inet_sock_set_state",
  tcp_v4_connect: "sock:inet_sock_set_state",
  tcp_v6_connect: "sock:inet_sock_set_state",
  tcp_set_state: "sock:inet_sock_set_state",
  inet_csk_accept: "sock:inet_sock_set_state",
  tcp_close: "sock:inet_sock_set_state",
  tcp_retransmit_skb: "tcp:tcp_retransmit_skb",
  __tcp_retransmit_skb: "tcp:tcp_retransmit_skb",
  tcp_sendmsg: "syscalls:sys_enter_sendto",
  finish_task_switch: "sched:sched_switch",
  __schedule: "sched:sched_switch",
  wake_up_new_task: "sched:sched_wakeup_new",
  do_exit: "sched:sched_process_exit",
  kernel_clone: "sched:sched_process_fork",
  blk_mq_start_request: "block:block_rq_issue",
  blk_account_io_done: "block:block_rq_complete",
  handle_mm_fault: "exceptions:page_fault_user",
  kmalloc: "kmem:kmalloc",
  __kmalloc: "kmem:kmalloc",
};

/** The syscall a kernel function implements: __x64_sys_read, __se_sys_read, do_sys_read, ksys_read -> read. */
function syscallOf(fn: string): string | undefined {
  return /^(?:__x64_sys_|__ia32_sys_|__se_sys_|__do_sys_|__arm64_sys_|sys_)(\w+)$/.exec(fn)?.[1];
}

/**
 * The hook for a kernel function: fentry/fexit where the kernel has BPF
 * trampolines (a direct call: cheaper than a kprobe's breakpoint) and the
 * probe can use them (`fentryFits`), else kprobe/kretprobe; with neither, the
 * hook asked for is named missing, with `alternative()` (what to use instead).
 */
export function kernelHook(asked: "kprobe" | "fentry", features: FeatureSource, alternative: () => string, fentryFits = true): "fentry" | "kprobe" {
  if (fentryFits && features("fentry").available) return "fentry";
  if (features("kprobe").available) return "kprobe";
  throw new FeatureUnavailableError(asked, features(asked), alternative());
}

/** Latency pairs that time what a kernel function does, from its tracepoints' point of view. */
const KNOWN_PAIRS: Readonly<Record<string, string>> = {
  "block:block_rq_issue": "block()",
  "block:block_rq_complete": "block()",
  "sched:sched_switch": "runqueue()",
  "sched:sched_wakeup_new": "runqueue()",
};

/**
 * What to measure instead of a kernel function's latency: the syscall it
 * implements (`syscall("read").latency()`), block() or runqueue(), else the
 * tracepoints that see the function's events.
 */
export function latencyAlternative(fn: string, tracefs: TracefsSource): string {
  const events = tracepointAlternative(fn, tracefs);
  const tp = /^Use tracepoint (\S+) instead\.$/.exec(events)?.[1];
  const sc = tp && /^syscalls:sys_enter_(\w+)$/.exec(tp)?.[1];
  if (sc) return `Measure the syscall instead: syscall("${sc}").latency() (entry to exit of ${sc}, per thread).`;
  if (tp && Object.hasOwn(KNOWN_PAIRS, tp)) return `Measure ${KNOWN_PAIRS[tp]} instead (${tp}).`;
  return events;
}

/** "Use tracepoint X instead." or a general pointer; `tracefs` checks that X exists here. */
export function tracepointAlternative(fn: string, tracefs: TracefsSource, uprobeTooHint = false): string {
  const has = (tp: string) => {
    const i = tp.indexOf(":");
    return tracefs.format(tp.slice(0, i), tp.slice(i + 1)) !== undefined;
  };
  const candidates: string[] = [];
  // Own keys only: a function named "__proto__" or "valueOf" must not find Object.prototype's.
  if (Object.hasOwn(KNOWN, fn)) candidates.push(KNOWN[fn]);
  const sc = syscallOf(fn);
  if (sc) candidates.push(`syscalls:sys_enter_${sc}`);
  for (const tp of candidates) if (has(tp)) return `Use tracepoint ${tp} instead.`;
  const near = tracefs.list().filter((tp) => tp.split(":")[1]!.includes(fn)).slice(0, 3);
  if (near.length) return `Use tracepoint ${near.join(" or ")} instead.`;
  return "Use a tracepoint instead (the list is in /sys/kernel/tracing/available_events)" +
    (uprobeTooHint ? ", or a uprobe for user-space code." : ".");
}
