// A probe declaration is plain, JSON-serialisable data. Cells build them through
// probes-lib inside the sandbox; the host validates them in the planner and maps
// them onto a template. Nothing in here refers to BPF: this is the user's intent.

/** Where to hook. */
export type Source = TracepointSource;

export interface TracepointSource {
  type: "tracepoint";
  /** "category:event", e.g. "syscalls:sys_enter_openat". */
  name: string;
}

/** In-kernel filters. Every key is optional; present keys are ANDed. */
export interface Filter {
  /** Process id (tgid) the event must come from. */
  pid?: number;
  /** Thread id. */
  tid?: number;
  /** The task's command name (at most 15 bytes), compared exactly. */
  comm?: string;
  uid?: number;
  /** cgroup v2 id (the inode number of the cgroup's directory). */
  cgroup?: number;
  /** Conditions on the tracepoint's integer fields (function probes: their integer values, read from
   *  the argument registers of uprobes and kprobes), ANDed (at most 4). */
  where?: FieldPredicate[];
  /** Keep one event in N that passed the other clauses (deterministic, per CPU). */
  sample?: number;
}

/** `field op value` on an integer field; "&" keeps events where (field & value) != 0. */
export interface FieldPredicate {
  field: string;
  op: "==" | "!=" | "<" | "<=" | ">" | ">=" | "&";
  /** A number, or a decimal/0x-hex string for integers beyond 2^53. */
  value: number | string;
}

/** One row per event, with the common columns and the chosen tracepoint fields. */
export interface EventsDeclaration {
  kind: "events";
  source: Source;
  /** Tracepoint fields to capture; empty means every field of the format. */
  fields: string[];
  /** Common columns to record (time_ns, cpu, pid, tid, uid, gid, cgroup, comm); default: all of them.
   *  Each one left out is neither read in the kernel nor carried in the record. Opt-in, never by
   *  default: "kstack" and "ustack", the kernel and user stack of each event as folded text
   *  ("outermost;...;innermost"); "ustack" also keeps "pid" (its frames are named through that
   *  process's memory maps). */
  columns?: string[];
  filter: Filter;
  /** How long to collect, in milliseconds. */
  durationMs: number;
  /** Stop after this many rows (optional). */
  limit?: number;
  /** The ring buffer's size in bytes (a power of two, 4 KiB to 64 MiB; default: room for ~16k events). */
  ringBytes?: number;
}

/** What an aggregation folds per key. Fields are integer tracepoint fields. */
export type AggregateValue =
  | { op: "count" }
  | { op: "sum" | "min" | "max" | "avg" | "stats"; field: string }
  /** Log2 buckets with `subBuckets` (1, 2, 4 or 8; default 4) buckets per power of two. */
  | { op: "hist_log2"; field: string; subBuckets?: number }
  /** Buckets [min + i*step, min + (i+1)*step) up to max; values outside land in two open buckets. */
  | { op: "hist_linear"; field: string; min: number; max: number; step: number };

/** Common settings of in-kernel aggregations. */
interface AggregationCommon {
  filter: Filter;
  /** Key columns: pid, tid, comm, cpu, uid, gid, cgroup, or (aggregate) fields of the tracepoint,
   *  or (aggregate) "kstack"/"ustack": the stack, as folded text; "ustack" also keys by pid. */
  keys: string[];
  /** How long to collect, in milliseconds. */
  durationMs: number;
  /** A time series: one interval every `everyMs` milliseconds, each read and reset exactly. */
  everyMs?: number;
  /** Distinct keys kept at most (default 10240, histograms 1024, fewer on many CPUs); updates for more keys are counted as lost. */
  maxKeys?: number;
}

/** A keyed aggregation in the kernel of one source's hits: a tracepoint (agg_tp), a function
 *  probe (agg_fn: uprobe, uretprobe, USDT, kprobe, kretprobe, fentry) or TCP state changes. */
export interface AggregateDeclaration extends AggregationCommon {
  kind: "aggregate";
  source: Source | FunctionSource | TcpSource | TlsSource;
  /** Function sources: the arguments and return value, by name, that value.field, keys and
   *  filter.where refer to (integers only). */
  values?: ProbeValue[];
  value: AggregateValue;
}

/** TCP state changes (sock:inet_sock_set_state, TCP only) as an aggregation's source; keys
 *  new_state and old_state read as state names. */
export interface TcpSource {
  type: "tcp";
  family?: "ipv4" | "ipv6";
}

/** Which start/end pair a latency measures. */
export type LatencyPair =
  /** Syscall entry to exit, per thread; one syscall by name, or every syscall (key "syscall" = its number). */
  | { type: "syscall"; name?: string }
  /** Block request issue to completion, per device and sector. */
  | { type: "block" }
  /** Wakeup to running: time spent runnable in a run queue, per thread. */
  | { type: "runqueue" }
  /** A user function's entry to its return (uprobe -> uretprobe), per thread; `pid`: attached to that process only. */
  | { type: "uprobe"; binary: string; symbol: string; pid?: number }
  /** A kernel function's entry to its return, per thread: fentry/fexit where the kernel has BPF
   *  trampolines, else kprobe/kretprobe (`type` is the hook asked for; either may run). */
  | { type: "kprobe" | "fentry"; function: string };

/** What a latency pair produces: the same ops as aggregations, of the latency in nanoseconds. */
export type LatencyValue =
  | { op: "count" | "sum" | "min" | "max" | "avg" | "stats" }
  | { op: "hist_log2"; subBuckets?: number }
  | { op: "hist_linear"; min: number; max: number; step: number };

export interface LatencyDeclaration extends AggregationCommon {
  kind: "latency";
  pair: LatencyPair;
  value: LatencyValue;
  /** Instead of aggregating: one row per pair whose latency is at least this many nanoseconds. */
  thresholdNs?: number;
}

export type Declaration = EventsDeclaration | AggregateDeclaration | LatencyDeclaration;

// --- Function probes, CPU profiles and TCP (planned by runtime/templates/{uprobe_events,agg_fn,profile,tcp_events}/plan.ts) ---

/** A user-space function of an executable or library, at entry or (retprobe) return. */
export interface UprobeSource {
  type: "uprobe";
  /** Path of the executable or shared library ("/usr/lib/x86_64-linux-gnu/libc.so.6"). */
  binary: string;
  /** Function name (looked up in .symtab and .dynsym). */
  symbol: string;
  /** At the function's return: gives `retval`. */
  retprobe?: boolean;
}

/** A USDT (statically defined tracing) probe compiled into a binary with <sys/sdt.h>. */
export interface UsdtSource {
  type: "usdt";
  binary: string;
  provider: string;
  name: string;
}

/** A kernel function through a kprobe (where the kernel has CONFIG_KPROBES). */
export interface KprobeSource {
  type: "kprobe";
  function: string;
  retprobe?: boolean;
}

/** A kernel function through an fentry trampoline (where the kernel allows it). */
export interface FentrySource {
  type: "fentry";
  function: string;
}

export type FunctionSource = UprobeSource | UsdtSource | KprobeSource | FentrySource;

/** How to read one value: integers of a width and sign, or a C string the value points to. */
export type ProbeValueType = "int" | "uint" | "long" | "ulong" | "s8" | "u8" | "s16" | "u16" | "s32" | "u32"
  | "s64" | "u64" | "pointer" | "string";

export interface ProbeValue {
  /** Column name. */
  name: string;
  /** Argument position (0-based; at most 5); omitted for the return value. */
  arg?: number;
  /** The function's return value (uretprobe/kretprobe only). */
  retval?: boolean;
  type: ProbeValueType;
}

/** One row per call (or return, or USDT probe hit), with chosen arguments / the return value. */
export interface FunctionEventsDeclaration {
  kind: "events";
  source: FunctionSource;
  values: ProbeValue[];
  filter: Filter;
  durationMs: number;
  limit?: number;
}

/** A CPU profile: stacks sampled at `frequencyHz` on every CPU, counted in the kernel. */
export interface ProfileDeclaration {
  kind: "profile";
  /** Samples per second per CPU (default 49). */
  frequencyHz?: number;
  /** Kernel and user stacks (default both). */
  stacks?: { kernel?: boolean; user?: boolean };
  filter: Filter;
  durationMs: number;
}

/** TCP connection life cycle (state changes, connect latency, lifetime) and retransmissions. */
export interface TcpDeclaration {
  kind: "tcp";
  /** Only connections with this local or remote port. */
  port?: number;
  family?: "ipv4" | "ipv6";
  /** Include tcp:tcp_retransmit_skb rows (default true). */
  retransmits?: boolean;
  durationMs: number;
  limit?: number;
}

/** The plaintext of TLS traffic: OpenSSL's SSL_read/SSL_write and SSL_read_ex/SSL_write_ex, read
 *  at their return, in the libssl each target process maps (filter.pid, filter.comm: those
 *  processes; neither: every libssl mapped now and the system's), or in `binary`. As an
 *  aggregation's source its values are len, captured and ret; its keys direction, function and
 *  library too (read as names). */
export interface TlsSource {
  type: "tls";
  /** A library or an executable (OpenSSL linked in statically) to probe, instead of finding them. */
  binary?: string;
  /** Bytes of plaintext copied per call at most (events; default 16384, at most 1048576). */
  capBytes?: number;
}

/** One row per SSL_read/SSL_write call that moved bytes: direction, len, the bytes (up to the cap). */
export interface TlsEventsDeclaration {
  kind: "events";
  source: TlsSource;
  filter: Filter;
  durationMs: number;
  limit?: number;
}

export type ProbeDeclaration = FunctionEventsDeclaration | ProfileDeclaration | TcpDeclaration | TlsEventsDeclaration;

/** Every declaration a cell can build: one union, told apart by `kind` and, for events and
 *  aggregates, `source.type`. */
export type AnyDeclaration = Declaration | ProbeDeclaration;
