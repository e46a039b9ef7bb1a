// The whole surface of the native addon (native/src/*.c), declared once.
// The addon is thin C over libbpf and knows nothing of notebooks: objects,
// links, ring readers, per-CPU counters, program info, feature probes.
//
// Errors thrown by the addon are Node-style: `message` says what was being done
// ("attach tracepoint syscalls:sys_enter_nope: ENOENT (No such file or directory)"),
// `errno` is negative as in Node's own errors, `code` is the errno name.

/** An Error from the addon. */
export interface NativeError extends Error {
  /** Negative errno, as in Node's own errors (-2 for ENOENT). */
  errno?: number;
  /** "ENOENT", "EACCES", or an ERR_* code for misuse (ERR_BPF_CLOSED, ERR_BPF_NO_MAP, ...). */
  code?: string;
  /** What was being done, without the errno part: "attach tracepoint a:b". */
  operation?: string;
  /** libbpf's own warnings during the failed call, when it printed any. */
  libbpfLog?: string;
}

/** Thrown by BpfObject.load() when the verifier rejects a program. */
export interface VerifierError extends NativeError {
  /** The program the verifier rejected. */
  program: string;
  /** The whole verifier log (the message holds its last lines). */
  verifierLog: string;
}

/** How one column is decoded from each ring-buffer record. */
export type ColumnKind =
  | "u8" | "u16" | "u32" | "u64" | "s8" | "s16" | "s32" | "s64"
  /** 64-bit integers delivered as Float64Array (exact below 2^53). */
  | "u64_f64" | "s64_f64"
  /** NUL-terminated text within `length` bytes -> string. */
  | "cstring"
  /** `length` raw bytes -> lowercase hex string. */
  | "hex"
  /** Raw bytes, as many as the u32 at `lengthAt` says (at most `length`) -> one Uint8Array per row.
   *  The last column: a record may end where its bytes end (variable-length records). */
  | "bytes";

/** Ring readers also take "cstring_dict": as "cstring", dictionary-encoded per batch into a
 *  DictionaryColumn (one JS string per distinct value; native/src/columns_dict.c). */
export type ReaderColumnKind = ColumnKind | "cstring_dict";

export interface ColumnSpec {
  name: string;
  /** Byte offset in the record. */
  offset: number;
  kind: ReaderColumnKind;
  /** Bytes in the record, for "cstring", "hex" and "bytes" (its most). */
  length?: number;
  /** "bytes": offset of the u32 that holds the row's byte count. */
  lengthAt?: number;
}

/** A column of a batch: typed array for numbers, string[] for text, Uint8Array[] for bytes. */
export type NativeColumn =
  | Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array
  | BigUint64Array | BigInt64Array | Float64Array | string[] | Uint8Array[];

/** A "cstring_dict" column of a batch: row i is dictionary[codes[i]]. */
export interface DictionaryColumn {
  codes: Uint32Array;
  dictionary: string[];
}

export interface ColumnBatch {
  rows: number;
  /** Numeric columns' typed arrays are the reader thread's own buffers (no copy). */
  columns: Record<string, NativeColumn | DictionaryColumn>;
}

export interface RingReaderOptions {
  /** Bytes of every record; shorter records are counted as malformed and skipped (with a "bytes"
   *  column: records may end after its count, and must hold everything before it). */
  recordSize: number;
  /** Poll timeout: the latest a record submitted without wakeup waits (default 20). */
  pollMs?: number;
  /** Rows per batch at most (default 4096). */
  batchRows?: number;
}

export interface RingReaderStats {
  records: number;
  malformed: number;
  batches: number;
}

/** Drains a ring buffer on a native thread; batches arrive on the JS thread, in ring order. */
export interface RingReader {
  readonly running: boolean;
  stats(): RingReaderStats;
  /** Stops polling, drains what is left and resolves after the last batch was delivered.
   *  Rejects with the first exception thrown by onBatch, or a read error. */
  stop(): Promise<RingReaderStats>;
}

/** One attachment; fd-based, never pinned. */
export interface BpfLink {
  readonly attached: boolean;
  /** "tracepoint syscalls:sys_enter_openat" */
  readonly target: string;
  /** Detaches now (idempotent). */
  destroy(): void;
}

export interface ProgramInfo {
  name: string;
  id: number;
  tag: string;
  /** libbpf's name of the program type, e.g. "tracepoint". */
  type: string;
  /** Instructions after the verifier's rewrites. */
  xlatedInsns: number;
  jitedBytes: number;
  /** Instructions the verifier walked (all paths). */
  verifiedInsns: number;
  /** Only counted while run statistics are enabled (enableRunStats()). */
  runTimeNs: number;
  runCount: number;
  recursionMisses: number;
  mapCount: number;
}

/** An opened .bpf.o: configure, load, attach, read, close. */
export interface BpfObject {
  readonly path: string;
  readonly state: "opened" | "loaded" | "closed";
  /** Writes bytes into a data section's initial value (".rodata"); before load only. */
  setRodata(section: string, offset: number, bytes: Uint8Array): void;
  /** Size in bytes of a data section (".rodata"). */
  sectionSize(section: string): number;
  /** Before load only. Ring buffers: a power of 2 multiple of the page size. */
  setMapMaxEntries(map: string, maxEntries: number): void;
  /** Loads every program through the verifier; throws a VerifierError on rejection. */
  load(): void;
  attachTracepoint(program: string, category: string, name: string): BpfLink;
  openRingReader(
    map: string,
    layout: ColumnSpec[],
    options: RingReaderOptions,
    onBatch: (batch: ColumnBatch) => void,
  ): RingReader;
  /** A u64 per-CPU array value summed over all possible CPUs. */
  percpuSum(map: string, key: number): number;
  programInfo(program: string): ProgramInfo;
  mapNames(): string[];
  programNames(): string[];
  /** Stops readers (final drain), destroys links, frees the object. Idempotent. */
  close(): void;
  /** close() with the kernel part on a libuv worker (native/src/close_async.c): the object
   *  is "closed" for JS at once (readers halted, final drain included); the links' detach
   *  (three RCU grace periods each, 50-90 ms) and the object's fds are released off the JS
   *  thread. Resolves when the kernel let go (detachMs: how long that took). The exit hook
   *  finishes any still pending. */
  closeAsync(): Promise<{ detachMs: number }>;
  /** Destroys every link on a worker thread and resolves once the kernel let go of all of
   *  them; the object, its maps and readers stay open. Awaited by runs that must be exact:
   *  afterwards no program fires, so the counters and the final drain agree. */
  detachAsync(): Promise<{ detachMs: number }>;
  /** Writes a u32 of a loaded object's data section (".bss") through the map's memory mapping
   *  (native/src/run_switch.c): the programs see it on their next event. A ring run's switch. */
  storeU32(section: string, offset: number, value: number): void;
  /** The build's min_core_btf (bpf/build/<t>.min.btf) CO-RE relocated against, or null when
   *  libbpf used the kernel's /sys/kernel/btf/vmlinux (no current min.btf, or
   *  PROBEBOOK_CORE_BTF=vmlinux). native/src/core_btf.c. */
  readonly coreBtf: string | null;

  // --- native/src/attach_more.c: more hooks, and the settings they need before load ---
  /** Before load: whether this program is loaded (variants the kernel lacks stay off). */
  setAutoload(program: string, autoload: boolean): void;
  /** Before load: the kernel function of an fentry/fexit program. */
  setAttachTarget(program: string, kernelFunction: string): void;
  /** uprobe (or uretprobe) on `binary`: `symbol` (resolved by libbpf in .symtab/.dynsym)
   *  plus `offset`, or a bare file `offset`; every process unless `pid`. */
  attachUprobe(program: string, options: UprobeAttachOptions): BpfLink;
  /** A USDT probe (`provider`:`name`) of `binary` through libbpf's usdt support. */
  attachUsdt(program: string, options: UsdtAttachOptions): BpfLink;
  /** A PERF_COUNT_SW_CPU_CLOCK sampling event on one CPU at `frequency` Hz (every process). */
  attachPerfEvent(program: string, options: { cpu: number; frequency: number }): BpfLink;
  /** raw_tp: a raw tracepoint by name ("sys_enter"). */
  attachRawTracepoint(program: string, name: string): BpfLink;
  /** tp_btf, fentry, fexit: the target was fixed by the section or setAttachTarget(). */
  attachTrace(program: string): BpfLink;
  /** kprobe/kretprobe on a kernel function (fails where CONFIG_KPROBES is off). */
  attachKprobe(program: string, options: { function: string; retprobe?: boolean }): BpfLink;

  // --- native/src/stacks.c: map reads for the profile template ---
  /** Instruction pointers of one stack (innermost first); empty for an unknown id. */
  stackTrace(map: string, id: number): BigUint64Array;
  /** Every entry of a hash (or per-CPU hash) map as raw bytes. */
  hashEntries(map: string): HashEntries;

  // --- native/src/map_batch.c: aggregation maps ---
  /** Before load: the map's key size in bytes (maps declared with key_size, not a BTF key type). */
  setMapKeySize(map: string, bytes: number): void;
  /** Before load: the map's value size in bytes. */
  setMapValueSize(map: string, bytes: number): void;
  /** One element (BPF_ANY). Per-CPU maps take every possible CPU's copy, each rounded to 8 bytes. */
  mapUpdate(map: string, key: Uint8Array, value: Uint8Array): void;
  /** One element's value (per-CPU maps: every possible CPU's copy), or null when there is none. */
  mapLookup(map: string, key: Uint8Array): Uint8Array | null;
  /** Every key of a per-CPU hash of aggregation values, with the CPUs merged in C:
   *  batched (BPF_MAP_LOOKUP[_AND_DELETE]_BATCH) or, where unsupported, one by one. */
  readAggregate(map: string, keyLayout: ColumnSpec[], value: AggregateValueLayout,
    options?: { delete?: boolean }): AggregateBatch;
}

/** Byte offsets in one CPU's copy of an aggregation value (struct agg_value). */
export interface AggregateValueLayout {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Offset of the u64 histogram slots, and how many there are (0: none). */
  slots: number;
  nslots: number;
}

/** One row per key: the key columns decoded by the layout, then count, sum, min, max
 *  (Float64Array; counts and sums add over CPUs, min and max combine). */
export interface AggregateBatch extends ColumnBatch {
  /** Whether the kernel's batch operations were used (else element by element). */
  batched: boolean;
  /** The nonzero histogram slots: key row, slot index, count summed over CPUs. */
  slots: { rows: number; row: Uint32Array; slot: Uint32Array; count: Float64Array };
}

export interface UprobeAttachOptions {
  /** Path of the executable or shared library. */
  binary: string;
  /** Function name; its address is looked up in the ELF symbols. */
  symbol?: string;
  /** Bytes added to the symbol's offset, or the file offset when there is no symbol. */
  offset?: number;
  /** Only this process (default: every process). */
  pid?: number;
  /** Attach at the function's return (uretprobe). */
  retprobe?: boolean;
  /** Returned by bpf_get_attach_cookie() in the program. */
  cookie?: number;
}

export interface UsdtAttachOptions {
  binary: string;
  provider: string;
  name: string;
  pid?: number;
  /** Returned by bpf_usdt_cookie() in the program. */
  cookie?: number;
}

/** Entry i: keys[i*keySize, +keySize), values[i*valueSize, +valueSize). */
export interface HashEntries {
  count: number;
  keySize: number;
  /** Per-CPU maps: the per-CPU value size rounded to 8, times the possible CPUs. */
  valueSize: number;
  keys: Uint8Array;
  values: Uint8Array;
}

/** Holds kernel.bpf_stats_enabled on while open. */
export interface RunStatsHandle {
  fd: number;
  close(): void;
}

/** A process watched for its exit (watchExit). */
export interface ExitWatch {
  readonly pid: number;
  /** Cancels the watch (closes its pidfd). A no-op once it has fired or was closed. */
  close(): void;
}

export interface NativeAddon {
  /** Opens (does not load) a BPF object file. */
  openObject(path: string): BpfObject;
  numPossibleCpus(): number;
  /** Frees a ring batch's buffers now instead of when the GC finds them (native/src/columns_dict.c):
   *  its typed arrays and dictionary codes are detached (empty afterwards), their memory freed and
   *  the heap trimmed. For batches whose rows were copied out. Returns the buffers released. */
  releaseColumns(columns: ColumnBatch["columns"]): number;
  /** Whether the kernel can load a program of this type (libbpf's name, e.g. "tracepoint"). */
  probeProgramType(type: string): boolean;
  /** Whether the kernel can create a map of this type (libbpf's name, e.g. "ringbuf"). */
  probeMapType(type: string): boolean;
  enableRunStats(): RunStatsHandle;
  /** Resolves once every BPF program running anywhere when it was called has returned
   *  (native/src/run_switch.c): the calling worker runs on each online CPU in turn ("cpus"),
   *  or, where a cpuset forbids that, waits for an RCU grace period ("rcu"). Holds for
   *  programs that run with preemption off (tracepoint, tp_btf, kprobe, uprobe, perf_event),
   *  not for fentry/fexit on a preemptible kernel. */
  quiesceAsync(): Promise<{ ms: number; method: "cpus" | "rcu" }>;
  /**
   * Calls `onExit` once, from the event loop, when process `pid` (any process,
   * not only a child) exits: a pidfd (pidfd_open(2), Linux 5.3) polled by
   * libuv. `onExit` gets an error only if polling the pidfd failed. The watch
   * never keeps the event loop alive, and lives until it fires or is closed
   * (dropping the handle does not cancel it). Throws ESRCH when there is no such
   * process, ENOSYS/EPERM where pidfds are unavailable (old kernel, seccomp).
   */
  watchExit(pid: number, onExit: (error?: NativeError) => void): ExitWatch;
  readonly capability: {
    readonly libbpf: string;
    /** libbpf was built with USDT support (bpf_program__attach_usdt, libbpf >= 0.8). */
    readonly usdt: boolean;
  };
}
