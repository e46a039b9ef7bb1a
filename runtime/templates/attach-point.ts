// Where a template's programs go: part of every spec (plain data); the
// runner attaches them (runtime/runs/attach.ts).

/** A program and the hook it is attached to. */
export type ProbeAttach =
  | { kind: "tracepoint"; program: string; category: string; event: string }
  /** A BTF tracepoint: its section names it; category and event say which, for people. */
  | { kind: "tp_btf"; program: string; category: string; event: string }
  /** `cookie`: what bpf_get_attach_cookie() returns in the program (tls: which function of which library). */
  | { kind: "uprobe"; program: string; binary: string; symbol: string; retprobe: boolean; pid?: number; cookie?: number }
  | { kind: "usdt"; program: string; binary: string; provider: string; name: string; pid?: number }
  | { kind: "kprobe"; program: string; function: string; retprobe: boolean }
  /** fentry/fexit (the kernel function is named before load: the instance's attachTargets), or a
   *  BTF tracepoint whose section names it. */
  | { kind: "trace"; program: string }
  | { kind: "perf_event"; program: string; frequency: number };
