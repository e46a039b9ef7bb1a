// Runs an aggregate or latency declaration: plan it, load the template
// instance (agg_tp, lat_pairs), attach, and read the per-CPU maps - once at the
// end, or every `everyMs` as an exact time series - then detach and close,
// always, in a finally. Results come back as columns, like ring runs':
//   keys..., count | sum | min | max | avg           one row per key
//   keys..., lower, upper, count                     histograms: one row per (key, nonzero bucket)
//   interval, time, ...                              time series: the same per interval (time: the interval's end)
//   time_ns, time, latency_ns, keys...               latency pairs above a threshold: one row per pair
// `time` columns are wall-clock epoch milliseconds of type "date" (runtime/host/wall-clock.ts).
import type { TargetGone } from "./target-watch.js";
import type { AggregateBatch, BpfLink, BpfObject, ColumnBatch, NativeColumn, NativeError, RingReader } from "../../native/surface.js";
import type { AggregateDeclaration, LatencyDeclaration } from "../spec/declaration.js";
import { attachOne } from "./attach.js";
import { closeWaiting } from "./idle-close.js";
import type { AggregationInstance } from "../planner/aggregation.js";
import { bucketBounds } from "../planner/aggregation.js";
import { plan } from "../planner/plan.js";
import type { ProgramRunStats, RunProgress } from "../spec/protocol.js";
import { programRunStats } from "./program-stats.js";
import type { TracefsSource } from "../host/tracefs.js";
import { AGG, valueLayout } from "../templates/aggregation.js";
import type { ColumnType, OutputColumn } from "../templates/columns.js";
import { load } from "../templates/load.js";
import type { StackName } from "../templates/stack-columns.js";
import { StackNamer } from "./stack-names.js";
import { bootClock, DATE_TYPE, wallClockMs, type ResultColumnType } from "../host/wall-clock.js";

export interface AggregateStats {
  /** Events aggregated (agg_tp: hits that passed the filter; lat_pairs: pairs measured), counted
   *  per CPU in the kernel whatever the value (sum, min and max have no count column). */
  events: number;
  /** Updates lost because the map already held maxKeys keys (counted in the kernel). */
  lost: number;
  /** Threshold mode: slow pairs lost because the ring buffer was full. */
  dropped: number;
  /** Hits the kernel did not run our programs for because another BPF program was running on
   *  that CPU (an interrupt's tracepoint during a syscall's, e.g. block_rq_complete). */
  missed: number;
  /** Time series: intervals read (the last one ends at stop). */
  intervals: number;
  /** Whether the kernel's batch map operations were used for every read. */
  batched: boolean;
  /** Time attached, in milliseconds. */
  durationMs: number;
  /** TargetGone: what it traced went away (runs/target-watch.ts, watched by runs/run.ts). */
  stoppedBy: "duration" | "abort" | "stop" | TargetGone;
  /** The programs that ran: classic tracepoints, or their BTF variant. */
  variant: "tracepoint" | "tp_btf";
  /** The hit counter as each CPU kept it (a per-CPU array: no CPU waits for another), before the sum that is `events`. */
  eventsPerCpu: number[];
  /** With opts.bpfStats: each program's runs and run time (runs/program-stats.ts). */
  programs?: ProgramRunStats[];
}

export interface AggregateResult {
  columns: Record<string, NativeColumn>;
  columnTypes: Record<string, ResultColumnType>;
  rowCount: number;
  stats: AggregateStats;
  plan: AggregationInstance;
}

export interface RunAggregateOptions {
  /** Aborting ends the run early; what was aggregated so far is returned. */
  signal?: AbortSignal;
  /** Every probe is attached: start the workload now. Awaited; the duration (and the first interval) count from when it resolves. */
  onAttached?: () => void | Promise<void>;
  /** Time series: interval `index` was read (`rows` rows). Awaited before the next interval's timer starts. */
  onInterval?: (index: number, rows: number) => void | Promise<void>;
  /** Tracepoints source for planning (default: the running kernel). */
  tracefs?: TracefsSource;
  /** Called every `progressIntervalMs` (default 250) while attached: elapsed time, events
   *  aggregated so far (the kernel's per-CPU hit counter), drops and lost updates. */
  onProgress?: (p: RunProgress) => void;
  progressIntervalMs?: number;
  /** runAggregateInstance(): the run once attached, for reading it while it runs (background runs). */
  onStarted?: (run: AggregateRun) => void;
  /** Report each program's runs and run time; the caller holds the kernel's run statistics on (runs/program-stats.ts). */
  bpfStats?: boolean;
}

/** What read() returns: the rows so far, with the counters now (the run goes on). */
export interface AggregateSnapshot extends Omit<AggregateResult, "stats"> {
  stats: Omit<AggregateStats, "stoppedBy">;
}

/** A started aggregation: attached and collecting until stop(). */
export interface AggregateRun {
  readonly plan: AggregationInstance;
  /** Time series: ends the current interval now and reads it exactly; resolves with every interval so far. */
  snapshot(): Promise<AggregateSnapshot>;
  /** The table so far, without disturbing the run: a time series' completed intervals, a plain
   *  aggregation's current totals (read, not deleted), a threshold run's pairs received. */
  read(): Promise<AggregateSnapshot>;
  /** Detaches, reads what is left, closes; resolves with every row. Idempotent. */
  stop(): Promise<AggregateResult>;
}

export async function runAggregate(decl: AggregateDeclaration | LatencyDeclaration, opts: RunAggregateOptions = {}): Promise<AggregateResult> {
  return runAggregateInstance(plan(decl, opts.tracefs ? { tracefs: opts.tracefs } : {}), opts);
}

/** Runs an already planned instance for its duration (or until aborted). */
export async function runAggregateInstance(instance: AggregationInstance, opts: RunAggregateOptions = {}): Promise<AggregateResult> {
  const run = await startAggregateInstance(instance, opts);
  opts.onStarted?.(run);
  const why = await new Promise<"duration" | "abort">((resolve) => {
    const done = (w: "duration" | "abort") => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      resolve(w);
    };
    const onAbort = () => done("abort");
    const timer = setTimeout(() => done("duration"), instance.durationMs);
    if (opts.signal?.aborted) return done("abort");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
  const result = await run.stop();
  result.stats.stoppedBy = why;
  return result;
}

export async function startAggregate(decl: AggregateDeclaration | LatencyDeclaration, opts: RunAggregateOptions = {}): Promise<AggregateRun> {
  return startAggregateInstance(plan(decl, opts.tracefs ? { tracefs: opts.tracefs } : {}), opts);
}

/** A per-CPU array's u64 value, one number per possible CPU (mapLookup gives every CPU's copy). */
function perCpuValues(bytes: Uint8Array | null): number[] {
  if (!bytes) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.byteLength / 8 }, (_, cpu) => Number(view.getBigUint64(cpu * 8, true)));
}

function u32Bytes(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function u64Bytes(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startAggregateInstance(instance: AggregationInstance, opts: RunAggregateOptions = {}): Promise<AggregateRun> {
  const { obj, attach: attachPoints, variant } = load(instance);
  // kstack/ustack keys: ids in the object's stack map, named as rows are read (the object is open)
  const rows = new Rows(instance, instance.stacks ? new StackNamer(obj, instance.stacks.map) : undefined);
  let links: BpfLink[] = [];
  let reader: RingReader | undefined;
  const ringBatches: ColumnBatch[] = [];
  try {
    if (instance.events) {
      const e = instance.events;
      const layout = e.columns.map(({ name, offset, kind, length }) => ({ name, offset, kind, ...(length ? { length } : {}) }));
      reader = obj.openRingReader(e.ringMap, layout, { recordSize: e.recordSize, pollMs: e.pollMs, batchRows: e.batchRows },
        (b) => void ringBatches.push(b));
    }
    links = attachPoints.map((a) => attachOne(obj, a));
    closeWaiting(); // runs that ended before this one detach now, out of its way (idle-close.ts)
    await opts.onAttached?.();
  } catch (e) {
    obj.close();
    throw e;
  }
  const attachedAt = performance.now();
  const series = new Series(obj, instance, rows);
  let stopped: Promise<AggregateResult> | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let cutting: Promise<void> = Promise.resolve();
  let timerError: unknown;

  const counters = () => ({
    events: obj.percpuSum(AGG.hitsMap, 0),
    lost: obj.percpuSum(instance.counters.lost, 0),
    dropped: instance.counters.drops ? obj.percpuSum(instance.counters.drops, 0) : 0,
  });
  const ticker = opts.onProgress ? setInterval(() => {
    if (closed) return;
    const { events, lost, dropped } = counters();
    opts.onProgress!({ elapsedMs: performance.now() - attachedAt, events, dropped, lost });
  }, opts.progressIntervalMs ?? 250) : undefined;

  // one cut at a time: the timer's and snapshot()'s are queued
  const cut = () => (cutting = cutting.then(async () => {
    const n = await series.cut();
    await opts.onInterval?.(series.intervals - 1, n);
  }));
  const schedule = () => {
    if (instance.everyMs === undefined || stopped) return;
    // a failed timed cut ends the series; stop() reports it
    timer = setTimeout(() => void cut().then(schedule, (e) => void (timerError ??= e)), instance.everyMs);
  };
  schedule();

  const statsNow = (durationMs: number): Omit<AggregateStats, "stoppedBy"> => ({
    ...counters(),
    missed: [...new Set(attachPoints.map((a) => a.program))]
      .reduce((n, prog) => n + obj.programInfo(prog).recursionMisses, 0),
    eventsPerCpu: perCpuValues(obj.mapLookup(AGG.hitsMap, u32Bytes(0))),
    ...(opts.bpfStats ? { programs: programRunStats(obj, attachPoints.map((a) => a.program)) } : {}),
    intervals: series.intervals,
    batched: rows.batched,
    durationMs,
    variant,
  });

  /** The rows so far into a copy: the run's own rows are not touched. */
  const read = async (): Promise<AggregateSnapshot> => {
    if (stopped) {
      const r = await stopped;
      return r;
    }
    await cutting.catch(() => {}); // a cut in progress: its interval is complete once it is read
    const copy = rows.copy();
    if (instance.events) {
      copy.addEvents(instance.events.columns, ringBatches);
    } else if (instance.everyMs === undefined) {
      copy.addRead(obj.readAggregate(AGG.generations[0], keyLayout(instance), valueLayout(instance.nslots)));
    }
    return { ...copy.assemble(), stats: statsNow(performance.now() - attachedAt), plan: instance };
  };

  const stop = async (): Promise<AggregateResult> => {
    try {
      if (timer) clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      await cutting.catch(() => {});
      if (timerError) throw timerError;
      // Detached first (on a worker: the RCU grace periods don't block the JS thread), so
      // what is read next is final: the hit counter and the map agree exactly.
      void links;
      await obj.detachAsync();
      const durationMs = performance.now() - attachedAt;
      if (reader) await reader.stop(); // the final drain: every pair sent until now
      if (instance.events) rows.addEvents(instance.events.columns, ringBatches);
      else if (instance.everyMs !== undefined) await series.cut();
      else rows.addRead(obj.readAggregate(AGG.generations[0], keyLayout(instance), valueLayout(instance.nslots)));
      const stats: AggregateStats = { ...statsNow(durationMs), stoppedBy: "stop" };
      return { ...rows.assemble(), stats, plan: instance };
    } finally {
      closed = true;
      void obj.closeAsync(); // detach and free off the JS thread; the exit hook finishes it if need be
    }
  };
  return {
    plan: instance,
    snapshot: async () => {
      if (instance.everyMs === undefined)
        throw new Error(`snapshot() needs a time series: declare it with everyMs (${instance.describe}); read() returns the totals so far`);
      if (stopped) throw new Error("snapshot() after stop()");
      await cut();
      return read();
    },
    read,
    stop: () => (stopped ??= stop()),
  };
}

function keyLayout(instance: AggregationInstance) {
  return instance.keyColumns.map(({ name, offset, kind, length }) => ({ name, offset, kind, ...(length ? { length } : {}) }));
}

/** Exact intervals: flip the generation programs update, wait until none is still
 *  in the old one, then read and delete it (agg_common.h). */
class Series {
  intervals = 0;
  #gen = 0;
  constructor(private readonly obj: BpfObject, private readonly instance: AggregationInstance, private readonly rows: Rows) {}

  async cut(): Promise<number> {
    const old = this.#gen;
    this.#gen ^= 1;
    this.obj.mapUpdate(AGG.ctlMap, u32Bytes(AGG.ctl.gen), u64Bytes(this.#gen));
    const end = Date.now();
    const busyKey = u32Bytes(AGG.ctl.busy[old]);
    for (let waited = 0; ; waited++) {
      const v = this.obj.mapLookup(AGG.ctlMap, busyKey);
      if (!v || new DataView(v.buffer, v.byteOffset).getBigUint64(0, true) === 0n) break;
      if (waited > 2000) throw new Error(`time series of ${this.instance.describe}: programs still update the old generation after 2 s`);
      await sleep(waited < 10 ? 0 : 1);
    }
    const batch = this.obj.readAggregate(AGG.generations[old], keyLayout(this.instance), valueLayout(this.instance.nslots),
      { delete: true });
    return this.rows.addRead(batch, { interval: this.intervals++, time: end });
  }
}

/** Rows as plain arrays until assemble() turns them into typed columns. */
class Rows {
  readonly cols = new Map<string, (number | string)[]>();
  readonly types: Record<string, ResultColumnType> = {};
  batched = true;
  count = 0;

  /** The rows so far, in a new Rows that further reads extend without touching these. */
  copy(): Rows {
    const c = new Rows(this.instance, this.namer);
    for (const [name, values] of this.cols) c.cols.set(name, [...values]);
    c.batched = this.batched;
    c.count = this.count;
    return c;
  }

  constructor(private readonly instance: AggregationInstance, private readonly namer?: StackNamer) {
    if (instance.everyMs !== undefined && !instance.events) {
      this.#col("interval", "uint32");
      this.#col("time", DATE_TYPE); // Date.now() at the interval's end
    }
    if (instance.events) {
      for (const c of instance.events.columns) {
        this.#col(c.name, c.type);
        // A pair's wall-clock time, next to the boot-relative time_ns it is computed from (in assemble()).
        if (c.name === "time_ns" && c.type === "float64") this.#col("time", DATE_TYPE);
      }
      return;
    }
    const stacks = new Set<string>(instance.stacks?.columns ?? []);
    for (const c of instance.keyColumns)
      this.#col(c.name, stacks.has(c.name) || instance.keyNames?.[c.name] ? "string" : c.type);
    for (const v of instance.valueColumns) this.#col(v, "float64");
  }

  #col(name: string, type: ResultColumnType) {
    this.cols.set(name, []);
    this.types[name] = type;
  }

  /** Appends one read of the map; returns its row count. */
  addRead(b: AggregateBatch, at?: { interval: number; time: number }): number {
    this.batched &&= b.batched;
    const inst = this.instance;
    const keyOf = (name: string, row: number) => (b.columns[name] as ArrayLike<number | bigint | string>)[row] as number | string;
    const stacks = inst.stacks, namer = this.namer;
    const stackCols = new Set<string>(stacks?.columns ?? []);
    const names = inst.keyNames ?? {};
    const keyText = (name: string, row: number) => stacks && namer && stackCols.has(name)
      ? namer.folded(keyOf(name, row) as number, name as StackName,
        name === "ustack" ? keyOf(stacks.pidColumn, row) as number : 0)
      : names[name] ? names[name][keyOf(name, row) as number] ?? String(keyOf(name, row))
      : keyOf(name, row);
    const count = b.columns.count as Float64Array, sum = b.columns.sum as Float64Array;
    const push = (row: number, values: Record<string, number>) => {
      if (at) {
        this.cols.get("interval")!.push(at.interval);
        this.cols.get("time")!.push(at.time);
      }
      for (const c of inst.keyColumns) this.cols.get(c.name)!.push(keyText(c.name, row));
      for (const v of inst.valueColumns) this.cols.get(v)!.push(values[v]!);
      this.count++;
    };
    if (inst.buckets) {
      const s = b.slots;
      for (let i = 0; i < s.rows; i++) {
        const [lower, upper] = bucketBounds(inst.buckets, s.slot[i]!);
        push(s.row[i]!, { lower, upper, count: s.count[i]! });
      }
      return s.rows;
    }
    const min = b.columns.min as Float64Array, max = b.columns.max as Float64Array;
    for (let r = 0; r < b.rows; r++)
      push(r, { count: count[r]!, sum: sum[r]!, min: min[r]!, max: max[r]!, avg: sum[r]! / count[r]! });
    return b.rows;
  }

  addEvents(columns: OutputColumn[], batches: ColumnBatch[]) {
    for (const b of batches) {
      for (const c of columns) {
        const out = this.cols.get(c.name)!;
        for (const v of b.columns[c.name] as Iterable<number | string>) out.push(v);
      }
      this.count += b.rows;
    }
  }

  assemble() {
    const columns: Record<string, NativeColumn> = {};
    for (const [name, values] of this.cols) {
      const t = this.types[name]!;
      // a slow pair's `time`: its time_ns on the wall clock (the series' `time` is read as each interval ends)
      columns[name] = name === "time" && this.instance.events ? wallClockMs(this.cols.get("time_ns") as number[], bootClock())
        : t === "string" || t === "binary" || t === "boolean" ? (values as string[])
        : t === "biguint64" ? BigUint64Array.from(values as unknown as bigint[])
        : t === "bigint64" ? BigInt64Array.from(values as unknown as bigint[])
        : new TYPED[t](values as number[]);
    }
    return { columns, columnTypes: { ...this.types }, rowCount: this.count };
  }
}

const TYPED = {
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, int8: Int8Array, int16: Int16Array, int32: Int32Array,
  float64: Float64Array, date: Float64Array,
} as const;
