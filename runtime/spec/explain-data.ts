// What explain() tells about a probe, as plain data: made on the host from the
// plan (and, when asked, from loading it through the verifier), rendered in the
// sandbox. Types only, so the sandbox bundle imports nothing from here.

export interface ExplainedMap {
  name: string;
  /** libbpf's name of the map type ("ringbuf", "percpu_hash", ...). */
  type: string;
  maxEntries?: number;
  keySize?: number;
  valueSize?: number;
  /** Kernel memory the map can take at most, estimated (ring size, or entries x (key + value x CPUs)). */
  bytes?: number;
  /** What the template keeps in it. */
  role?: string;
}

export interface ExplainedProgram {
  name: string;
  /** libbpf's name of the program type. */
  type: string;
  /** Instructions after the verifier's rewrites. */
  xlatedInsns: number;
  /** Bytes of machine code after JIT. */
  jitedBytes: number;
  /** Instructions the verifier walked, over all paths. */
  verifiedInsns: number;
  mapCount: number;
}

export interface ExplainData {
  /** The probe as the runtime understood it, e.g. "count of syscalls:sys_enter_getppid by pid". */
  describe: string;
  /** The declaration kind ("events", "aggregate", "latency", "profile", "tcp"). */
  kind: string;
  template: string;
  /** Why this template (and this variant of it). */
  why: string;
  /** The compiled object, relative to the package root. */
  object: string;
  /** Programs loaded (the object's other variants stay unloaded). */
  programs: string[];
  /** Where they attach: "tracepoint syscalls:sys_enter_read", "uprobe /usr/lib/…/libc.so.6:lldiv". */
  attach: string[];
  /** The .rodata configuration written before load (64-bit integers as strings). */
  rodata: unknown;
  maps: ExplainedMap[];
  /** Sum of the maps' estimated bytes. */
  memoryBytes: number;
  /** The result's columns and their types. */
  columns: { name: string; type: string }[];
  /** How long it collects (ms); 86400000 is "until stopped". */
  durationMs: number;
  /** Number of possible CPUs, which per-CPU maps multiply by. */
  cpus: number;
  /** Set when explain() loaded it misconfigured on purpose: the name and what was broken. */
  misconfigured?: string;
  /** After load: per-program verifier statistics, or why loading failed. */
  load?: { programs: ExplainedProgram[]; loadMs: number } | { error: string; verifierLog?: string };
}
