// probebook's side of the per-event and throughput rows, through the runtime
// APIs directly (the in-kernel cost and the consumer are what is measured, not
// the notebook). Imports dist/, which scripts/setup.sh builds.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./procs.mjs";

async function importDist(relative) {
  const file = join(ROOT, "dist", relative);
  if (!existsSync(file)) return undefined;
  return import(pathToFileURL(file).href);
}

const GETPPID = { type: "tracepoint", name: "syscalls:sys_enter_getppid" };

/** The event stream declaration: every field of sys_enter_getppid (the header + __syscall_nr). */
// Three columns, as the floor's stream records (16-byte records with the header packed).
// A limit of its own: without one a stream stops at the row cap (runtime/runs/row-cap.ts,
// 1M rows), half of a 2M-call run, and the rows would measure the cap, not the stream.
export const STREAM_LIMIT = 1_000_000_000;
export const streamDeclaration = () => ({ kind: "events", source: GETPPID, fields: [], columns: ["time_ns", "pid", "cpu"], filter: {}, durationMs: 3600_000, limit: STREAM_LIMIT });

/** The planned instance of the stream (its ring size sizes the floor's ring in the throughput rows). */
export async function planStream(decl = streamDeclaration()) {
  const { plan } = await importDist("runtime/planner/plan.js");
  return plan(decl);
}

/**
 * Starts an events run; resolves once every probe is attached. stop() aborts
 * it and resolves with rows, drops and seen (as the kernel counted them).
 * `instance` (a planned spec) overrides the declaration.
 */
export async function startEvents({ decl = streamDeclaration(), instance } = {}) {
  const mod = await importDist("runtime/runs/ring.js");
  const spec = instance ?? (await planStream(decl));
  const abort = new AbortController();
  let attached;
  const ready = new Promise((resolve) => (attached = resolve));
  const opts = { signal: abort.signal, exactOnAbort: true, onAttached: () => attached() };
  const run = mod.runRing(spec, opts);
  await Promise.race([ready, run]);
  return {
    async stop() {
      abort.abort();
      const result = await run;
      return { events: result.rowCount, drops: result.stats.dropped, seen: result.stats.seen, columns: Object.keys(result.columns).length };
    },
  };
}

/** The aggregation declarations matching the floor's hooks (keyed count by comm; log2 getppid latency, 1 bucket per power of 2 like the floor and bpftrace). */
export const aggregateDeclarations = {
  count: () => ({ kind: "aggregate", source: GETPPID, value: { op: "count" }, keys: ["comm"], filter: {}, durationMs: 3600_000 }),
  hist: () => ({ kind: "latency", pair: { type: "syscall", name: "getppid" }, value: { op: "hist_log2", subBuckets: 1 }, keys: [], filter: {}, durationMs: 3600_000 }),
};

/**
 * Starts the aggregation of `kind` ("count" | "hist") through
 * runtime/runs/aggregate.js's startAggregate; resolves once attached. stop()
 * gives the events folded (the sum of the count column). undefined when dist/
 * has no aggregation runner (the rows then say "not measured").
 */
export async function startAggregation(kind, decl = aggregateDeclarations[kind]()) {
  const mod = await importDist("runtime/runs/aggregate.js");
  if (!mod?.startAggregate) return undefined;
  const run = await mod.startAggregate(decl);
  return {
    async stop() {
      const result = await run.stop();
      const counts = result.columns.count;
      let events = 0;
      for (let i = 0; i < result.rowCount; i++) events += Number(counts[i]);
      return { events, drops: result.stats.lost + result.stats.dropped };
    },
  };
}

/**
 * The declaration the bench can run for `kind`: the floor's own shape when
 * probebook runs it, else (hist) the same keyed by comm, with why. A start and
 * stop with no workload tells.
 */
export async function runnableAggregation(kind) {
  const tries = [aggregateDeclarations[kind]()];
  if (kind === "hist") tries.push({ ...tries[0], keys: ["comm"] });
  let first;
  for (const decl of tries) {
    try {
      const run = await startAggregation(kind, decl);
      await run.stop();
      return { decl, note: first ? `keyed by comm: the unkeyed histogram failed (${first})` : undefined };
    } catch (error) {
      first ??= error.message.split("\n")[0];
    }
  }
  throw new Error(first);
}

/** Whether dist/ has the aggregation runner. */
export const hasAggregation = async () => Boolean((await importDist("runtime/runs/aggregate.js"))?.startAggregate);
