// The ring-buffer reader of every template that emits records (tp_events,
// uprobe_events, tcp_events): load the spec, attach, drain the ring buffer for
// the duration (or until aborted or the row limit), detach, drain the rest and
// close - always, in a finally. Rows come back as columns (typed arrays and
// string arrays) in ring order.
import type { BpfObject, ColumnBatch, DictionaryColumn, NativeColumn } from "../../native/surface.js";
import type { ProbeAttach } from "./attach.js";
import type { ProgramRunStats, RunProgress } from "../spec/protocol.js";
import { programRunStats } from "./program-stats.js";
import { attachOne } from "./attach.js";
import { closeWaiting, closeWhenIdle } from "./idle-close.js";
import type { TpEventsInstance } from "../templates/tp_events/plan.js";
import type { RingEventsInstance } from "../templates/ring-spec.js";
import type { StackColumnsPlan } from "../templates/stack-columns.js";
import { load, type Loaded } from "../templates/load.js";
import { templateNamed } from "../templates/registry.js";
import type { ColumnType } from "../templates/columns.js";
import { nameStackColumns } from "./stack-names.js";
import { bootClock, wallClockMsInto, withWallClock, type ResultColumnType } from "../host/wall-clock.js";
import { maxRows } from "./row-cap.js";
import { native } from "../../native/load.js";
import { recordDictionary } from "../spec/text-dictionary.js";
import { columnsBytes, memoryBudget, type MemoryStop } from "../host/memory-budget.js";
import type { TargetGone } from "./target-watch.js";

/** Typed arrays for numbers, string[] for text. */
export type EventColumn = NativeColumn;


export interface EventsStats {
  /** Rows received from the ring buffer (before the limit cut). */
  events: number;
  /** Events lost because the ring buffer was full (counted in the kernel). */
  dropped: number;
  /** Events that passed the in-kernel filters (= events + dropped, when the run ended cleanly). */
  seen: number;
  /** Events the kernel did not run the program for because another BPF program was running on
   *  that CPU (classic tracepoints and kprobes skip rather than nest): neither rows nor drops. */
  missed: number;
  /** Time attached, in milliseconds. */
  durationMs: number;
  /** "target-exited", "target-unmapped", "target-replaced": what the run traced went away (opts.targetGone,
   *  runs/target-watch.ts); the rows are all it made.
   *  "memory": the kernel's memory budget was used up, or the rows reached the sandbox's heap limit
   *  (host/memory-budget.ts); `memory` says which, and where the memory went. */
  stoppedBy: "duration" | "limit" | "abort" | "memory" | TargetGone;
  /** The variant the loader kept: "tp_btf" (tcp_events on a kernel with BTF tracepoints) or "tracepoint". */
  variant?: "tracepoint" | "tp_btf";
  /** Set when the run stopped at the row cap (the declaration set no limit of its own): the cap. */
  rowCap?: number;
  /** With opts.bpfStats: each program's runs and run time (runs/program-stats.ts). */
  programs?: ProgramRunStats[];
  /** Set when the run stopped because the memory budget was used up: what held it then. */
  memory?: MemoryStop;
}

export interface EventsResult {
  /** The template's columns in record order, and `time` (wall-clock epoch ms, type "date") right after `time_ns`. */
  columns: Record<string, EventColumn>;
  columnTypes: Record<string, ResultColumnType>;
  rowCount: number;
  stats: EventsStats;
  plan: RingSpec;
}

export interface RunEventsOptions {
  /** Aborting ends the run early; what was collected is returned. */
  signal?: AbortSignal;
  /** An aborted run still detaches before it counts and drains, so its rows are exact
   *  (a caller that keeps them: a benchmark). Default false: an interrupted cell's rows
   *  are thrown away, and its reply doesn't wait on the detach. */
  exactOnAbort?: boolean;
  onProgress?: (p: RunProgress) => void;
  /** Every probe is attached: start the workload now. Awaited; the duration counts from when it resolves. */
  onAttached?: () => void | Promise<void>;
  /** Interval of onProgress calls (default 250 ms). */
  progressIntervalMs?: number;
  /** Resolves when what the run traces has gone (runs/target-watch.ts): the run ends then, with everything it collected. */
  targetGone?: Promise<{ why: TargetGone }>;
  /** Report each program's runs and run time; the caller holds the kernel's run statistics on (runs/program-stats.ts). */
  bpfStats?: boolean;
}

/** A spec of a ring-buffer template (tp_events, uprobe_events, tcp_events). */
export type RingSpec = TpEventsInstance | RingEventsInstance;

/**
 * Runs a ring-buffer spec: load it, attach every hook, drain the ring buffer
 * for the duration (or until aborted or the row limit), detach, drain the
 * rest and close - always, in a finally.
 */
export async function runRing(spec: RingSpec, opts: RunEventsOptions = {}): Promise<EventsResult> {
  return (await startRingRun(spec, opts)).done;
}

/** A ring spec loaded, attached and collecting: read it now (the rows so far, shaped as the final
 *  result), or wait for `done`; the object is closed once the run ended. */
export async function startRingRun(spec: RingSpec, opts: RunEventsOptions = {}): Promise<{ snapshot(): EventsResult; done: Promise<EventsResult> }> {
  const { obj, attach, variant } = load(spec);
  try {
    const run = await startRing(obj, spec, attach, opts);
    let finished: EventsResult | undefined;
    // shaped before close: stack ids are named from the object's stack map
    const done = run.done.then(async (rows) => (finished = await ringResultInSlices(obj, spec, variant, rows))).finally(() => {
      // Stopped in the kernel: its detach can wait for a moment that costs nothing.
      if (run.stoppedInKernel()) closeWhenIdle(obj);
      else void obj.closeAsync();
    });
    return { snapshot: () => finished ?? ringResult(obj, spec, variant, run.snapshot()), done };
  } catch (error) {
    obj.close();
    throw error;
  }
}

/** A ring run's rows as its result: stack ids named (while `obj`, holding the stack map, is open),
 *  the template's raw columns made readable (TCP addresses and states), `time` added. */
export function ringResult(obj: BpfObject, spec: RingSpec, variant: Loaded["variant"], { table, stats }: RingRows, time?: Float64Array): EventsResult {
  const stacks = (spec as { stacks?: StackColumnsPlan }).stacks;
  if (stacks) nameStackColumns(obj, stacks, table.columns, table.columnTypes, table.rowCount);
  templateNamed(spec.template).readable?.(table, spec);
  return { ...table, ...withWallClock(table.columns, table.columnTypes, bootClock(), time), stats: { ...stats, variant }, plan: spec } as EventsResult;
}

/** ringResult() for a finished run: the `time` column converted a slice at a time (assembleInSlices()). */
async function ringResultInSlices(obj: BpfObject, spec: RingSpec, variant: Loaded["variant"], rows: RingRows): Promise<EventsResult> {
  const { columns, columnTypes, rowCount } = rows.table;
  const timeNs = columns.time_ns;
  if (!timeNs || "time" in columns || columnTypes.time_ns !== "float64") return ringResult(obj, spec, variant, rows);
  const clock = bootClock();
  const time = new Float64Array(rowCount);
  for (let from = 0; from < rowCount; from += SLICE_ROWS) {
    wallClockMsInto(time, timeNs as Float64Array, clock, from, Math.min(rowCount, from + SLICE_ROWS));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return ringResult(obj, spec, variant, rows, time);
}

/** What collecting a ring buffer needs of a plan (tp_events, uprobe_events, tcp_events). */
export interface RingPlan extends Pick<TpEventsInstance, "columns" | "ring" | "durationMs" | "limit" | "counters" | "runSwitch"> {}

/** Hooks whose programs run with preemption off: once the switch is stored, quiesceAsync()
 *  (native/src/run_switch.c) proves every one of them that had passed it has returned.
 *  Not uprobes and USDT (since sleepable uprobes, 6.1, their programs run under
 *  rcu_read_lock_trace with only migration disabled, so they can be preempted mid-program),
 *  nor fentry/fexit ("trace", preemptible under PREEMPT): those runs detach instead. */
const QUIESCIBLE = new Set<ProbeAttach["kind"]>(["tracepoint", "tp_btf", "kprobe", "perf_event"]);

/**
 * Ends a run in the kernel so that its counters and a final drain agree: every
 * event that passed the filters is then a record in the ring or a counted drop.
 * Stores the run's switch and waits for the programs already past it (tens of
 * microseconds: no RCU grace period); the links stay until the object closes,
 * detached off the JS thread. Where that can't be proved (fentry/fexit, or the
 * store failing), detaches first (50-90 ms, on a worker).
 */
async function stopInKernel(obj: BpfObject, plan: RingPlan, attach: ProbeAttach[]): Promise<void> {
  if (attach.every((a) => QUIESCIBLE.has(a.kind))) {
    try {
      obj.storeU32(plan.runSwitch.section, plan.runSwitch.offset, 1);
      await native().quiesceAsync();
      return;
    } catch {
      // not provable here: the detach below is
    }
  }
  await obj.detachAsync();
}

/** A ring-buffer run's rows and counters (a snapshot's have no stoppedBy yet). */
export interface RingRows {
  table: ReturnType<typeof assemble>;
  stats: Omit<EventsStats, "stoppedBy"> & { stoppedBy?: EventsStats["stoppedBy"] };
}

/** A ring-buffer run once attached: read it now, or wait for its end. */
export interface RingRun {
  /** The rows received so far and the counters now (the run goes on). */
  snapshot(): RingRows;
  /** The final rows once the run ended: duration, row limit or abort. */
  readonly done: Promise<RingRows & { stats: EventsStats }>;
  /** Whether its programs record nothing any more (the switch stored, or detached). */
  stoppedInKernel(): boolean;
}

/**
 * The body of every ring-buffer run (foreground and background): reads the
 * ring on the addon's thread, attaches `attach`, and resolves once attached
 * (and opts.onAttached resolved); the run then collects for the duration (or
 * until aborted or the row limit), counts and drains. The caller loaded `obj`
 * and closes it after `done`.
 */
export async function startRing(obj: BpfObject, given: RingPlan, attach: ProbeAttach[], opts: RunEventsOptions): Promise<RingRun> {
  // Without a limit of its own a stream stops at the row cap (row-cap.ts).
  const plan = given.limit !== undefined ? given : { ...given, limit: maxRows() };
  const batches: ColumnBatch[] = [];
  let received = 0;
  let limitReached: (why: "limit" | "memory") => void = () => {};
  const limitHit = new Promise<"limit" | "memory">((resolve) => (limitReached = resolve));
  // The rows collected count in the kernel's memory budget until the run ends: at the budget it stops.
  const held = memoryBudget.hold("rows");
  let usedAtStop: MemoryStop | undefined;
  // Text columns dictionary-encoded in C (a comm repeats): one JS string per distinct value per batch.
  const layout = plan.columns.map(({ name, offset, kind, length, lengthAt }) =>
    ({ name, offset, kind: kind === "cstring" ? "cstring_dict" as const : kind, ...(length ? { length } : {}),
      ...(lengthAt !== undefined ? { lengthAt } : {}) }));
  const reader = obj.openRingReader(plan.ring.map, layout,
    { recordSize: plan.ring.recordSize, pollMs: plan.ring.pollMs, batchRows: plan.ring.batchRows },
    (batch) => {
      batches.push(batch);
      received += batch.rows;
      held.add(columnsBytes(batch.columns));
      if (plan.limit !== undefined && received >= plan.limit) limitReached("limit");
      else if (!usedAtStop && (usedAtStop = memoryBudget.reached(held))) limitReached("memory");
    });
  attach.forEach((a) => attachOne(obj, a)); // detached when the caller closes obj
  closeWaiting(); // runs that ended before this one detach now, out of its way (idle-close.ts)
  const attachedAt = performance.now();
  await opts.onAttached?.();
  const programs = [...new Set(attach.map((a) => a.program))];
  const missed = () => programs.reduce((n, p) => n + obj.programInfo(p).recursionMisses, 0);
  // Drops are counted only where a reservation fails, so seen = rows + drops by construction.
  const counters = (dropped = obj.percpuSum(plan.counters.drops, 0)) => ({ dropped, seen: received + dropped, missed: missed() });

  let stopped = false;
  const done = (async () => {
    const stoppedBy = await waitForEnd(plan.durationMs, limitHit, opts, () => ({
      elapsedMs: performance.now() - attachedAt,
      events: received,
      dropped: obj.percpuSum(plan.counters.drops, 0),
    }));
    const durationMs = performance.now() - attachedAt;
    // A finished run stops in the kernel first (the switch, then no program still
    // running), so the drop counter and the final drain agree: rows + dropped = seen.
    // An aborted run's rows are thrown away by the cell, so it doesn't wait.
    if (stoppedBy !== "abort" || opts.exactOnAbort) {
      await stopInKernel(obj, plan, attach);
      stopped = true;
    }
    const dropped = obj.percpuSum(plan.counters.drops, 0);
    await reader.stop(); // the final drain: every record reserved before the stop
    const stats: EventsStats = { ...counters(dropped), events: received, durationMs, stoppedBy,
      ...(opts.bpfStats ? { programs: programRunStats(obj, programs) } : {}),
      ...(stoppedBy === "limit" && given.limit === undefined ? { rowCap: plan.limit } : {}),
      ...(stoppedBy === "memory" && usedAtStop ? { memory: usedAtStop } : {}) };
    const rows = batches.splice(0); // the result owns them now: nothing else keeps the batches alive
    const table = await assembleInSlices(plan, rows, plan.limit);
    releaseBatches(rows, table.columns);
    return { table, stats };
  })().finally(() => held.release());
  return {
    snapshot: () => ({ table: assemble(plan, batches, plan.limit), stats: { ...counters(), events: received, durationMs: performance.now() - attachedAt } }),
    done,
    stoppedInKernel: () => stopped,
  };
}

/** startRing() to the end: the rows of a foreground run. */
export async function collectRing(obj: BpfObject, plan: RingPlan, attach: ProbeAttach[], opts: RunEventsOptions) {
  return (await startRing(obj, plan, attach, opts)).done;
}

/** Resolves when the run should end: duration, row limit, memory budget, abort or the target gone (ring runs). */
export function waitForEnd(
  durationMs: number,
  limitHit: Promise<"limit" | "memory">,
  opts: RunEventsOptions,
  progress: () => RunProgress,
): Promise<EventsStats["stoppedBy"]> {
  return new Promise((resolve) => {
    const { signal, onProgress } = opts;
    const done = (why: EventsStats["stoppedBy"]) => {
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      signal?.removeEventListener("abort", onAbort);
      resolve(why);
    };
    const onAbort = () => done("abort");
    const timer = setTimeout(() => done("duration"), durationMs);
    const ticker = onProgress ? setInterval(() => onProgress(progress()), opts.progressIntervalMs ?? 250) : undefined;
    void opts.targetGone?.then((gone) => done(gone.why));
    if (signal?.aborted) return done("abort");
    signal?.addEventListener("abort", onAbort, { once: true });
    void limitHit.then(done);
  });
}

const ARRAYS = {
  uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, int8: Int8Array, int16: Int16Array,
  int32: Int32Array, float64: Float64Array, biguint64: BigUint64Array, bigint64: BigInt64Array,
} as const;

/** Rows of one column handled between two yields to the event loop when assembling in slices:
 *  a few milliseconds of work, so a 51M-row hand-over leaves the JS thread free for the other
 *  channels (a kernel_info_request on control, the heartbeat's replies) between slices. */
export const SLICE_ROWS = 1 << 18;

/** Frees the batches' buffers now (native releaseColumns: detached, freed, heap trimmed), except
 *  arrays that are columns of the result themselves (one batch, uncut). */
function releaseBatches(batches: ColumnBatch[], kept: Record<string, unknown>): void {
  const keep = new Set(Object.values(kept));
  const addon = native();
  for (const b of batches) {
    const copied = Object.fromEntries(Object.entries(b.columns).filter(([, c]) => !keep.has(c)));
    addon.releaseColumns(copied);
  }
}

/** Concatenates the batches column by column, cut at `limit` rows (all at once: snapshots, small runs). */
export function assemble(instance: Pick<TpEventsInstance, "columns">, batches: ColumnBatch[], limit?: number) {
  const steps = assembling(instance, batches, limit);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** assemble(), yielding to the event loop every SLICE_ROWS rows of a column. */
export async function assembleInSlices(instance: Pick<TpEventsInstance, "columns">, batches: ColumnBatch[], limit?: number) {
  const steps = assembling(instance, batches, limit);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The work of assemble(), one slice per step. Batch arrays are the reader thread's own
 *  buffers: one batch uncut is the column itself; more are copied once into the column. */
function* assembling(instance: Pick<TpEventsInstance, "columns">, batches: ColumnBatch[], limit?: number) {
  const total = batches.reduce((n, b) => n + b.rows, 0);
  const rowCount = limit !== undefined ? Math.min(total, limit) : total;
  const columns: Record<string, EventColumn> = {};
  const columnTypes: Record<string, ColumnType> = {};
  for (const col of instance.columns) {
    columnTypes[col.name] = col.type;
    // binary: a Uint8Array per row, as plain as strings ("boolean" columns are made by readable(), never read)
    if (col.type === "string" || col.type === "binary" || col.type === "boolean") {
      columns[col.name] = (yield* textColumn(batches, col.name, rowCount)) as EventColumn;
      continue;
    }
    const only = batches.length === 1 ? batches[0]!.columns[col.name] as EventColumn : undefined;
    if (only && only.length === rowCount) { // one batch, uncut: its array is the column (no copy)
      columns[col.name] = only;
      continue;
    }
    const out = new ARRAYS[col.type](rowCount);
    let at = 0, sliced = 0;
    for (const b of batches) {
      if (at >= rowCount) break;
      const part = b.columns[col.name] as typeof out;
      const n = Math.min(part.length, rowCount - at);
      (out as Uint8Array).set((part as Uint8Array).subarray(0, n), at);
      at += n;
      if (at - sliced >= SLICE_ROWS) { sliced = at; yield; }
    }
    columns[col.name] = out;
  }
  return { columns, columnTypes, rowCount };
}

/** A text column's rows (sharing each batch's strings), and for dictionary-encoded batches
 *  the same rows as codes into one merged dictionary (spec/text-dictionary.ts). */
function* textColumn(batches: ColumnBatch[], name: string, rowCount: number): Generator<void, string[]> {
  const out: string[] = new Array<string>(rowCount);
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  let codes: Uint16Array | Uint32Array | undefined = new Uint16Array(rowCount);
  let at = 0, sliced = 0;
  for (const b of batches) {
    if (at >= rowCount) break;
    const part = b.columns[name]!;
    const n = Math.min(b.rows, rowCount - at);
    if (Array.isArray(part)) {
      for (let i = 0; i < n; i++) out[at + i] = part[i] as string;
      codes = undefined; // plain strings: column-transfer.ts encodes them if it can
    } else { // dictionary-encoded: rows share the batch's strings
      const { codes: local, dictionary: strings } = part as DictionaryColumn;
      const remap = strings.map((value) => {
        let code = index.get(value);
        if (code === undefined) index.set(value, (code = dictionary.push(value) - 1));
        return code;
      });
      if (codes instanceof Uint16Array && dictionary.length > 0x10000) codes = Uint32Array.from(codes);
      for (let i = 0; i < n; i++) {
        const code = remap[local[i]!]!;
        out[at + i] = dictionary[code]!;
        if (codes) codes[at + i] = code;
      }
    }
    at += n;
    if (at - sliced >= SLICE_ROWS) { sliced = at; yield; }
  }
  if (codes) recordDictionary(out, { codes, dictionary });
  return out;
}
