// Real kernel, real BPF: latency pairs on a user function (lat_pairs'
// pb_lat_uprobe -> pb_lat_uretprobe, by thread) of a workload this test builds
// and starts: its own probebook_timed_call() sleeps 8.5 ms 7 times, then 34 ms 5 times.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { LatencyDeclaration } from "../../../runtime/spec/declaration.js";
import { PlanError } from "../../../runtime/spec/errors.js";
import { plan } from "../../../runtime/planner/plan.js";
import { startAggregate, type AggregateResult } from "../../../runtime/runs/aggregate.js";
import { buildC } from "../../bpf/support/build-c.js";
import { startHeld } from "../../bpf/support/workload.js";
import { killSpawned } from "../../support/children.js";
import { expectReleasedAfterAll } from "../../support/held-bpf.js";
import { rowsOf } from "../fixtures/aggregate-run.js";

const SYMBOL = "probebook_timed_call";
const timedCalls = buildC("timed-calls", ["-O0"]);

expectReleasedAfterAll(); // what this file loads must all be closed and freed, by id
afterEach(killSpawned);
afterAll(() => timedCalls.cleanup());

/** Runs the declaration made for the held workload's pid while the workload runs to its end. */
async function runOnWorkload(decl: (pid: number) => LatencyDeclaration): Promise<{ r: AggregateResult; pid: number }> {
  const w = await startHeld(timedCalls.bin, []);
  try {
    let exit: Promise<number | null> | undefined;
    const run = await startAggregate(decl(w.pid), { onAttached: () => { exit = w.go(); } });
    let r: AggregateResult;
    try {
      expect(await exit).toBe(0);
    } finally {
      r = await run.stop();
    }
    return { r, pid: w.pid };
  } finally {
    w.dispose();
  }
}

describe("latency of a user function (uprobe -> uretprobe)", () => {
  it("plans the uprobe pair: starts by thread, attached to the binary and symbol for one pid", () => {
    const instance = plan({
      kind: "latency", pair: { type: "uprobe", binary: timedCalls.bin, symbol: SYMBOL, pid: 4242 }, filter: {}, keys: [],
      value: { op: "hist_log2" }, durationMs: 1000,
    });
    expect(instance.rodata.cfg).toMatchObject({ start_by_tid: 1, to_ring: 0 });
    expect(instance.attach).toEqual([
      { kind: "uprobe", program: "pb_lat_uprobe", binary: timedCalls.bin, symbol: SYMBOL, pid: 4242, retprobe: false },
      { kind: "uprobe", program: "pb_lat_uretprobe", binary: timedCalls.bin, symbol: SYMBOL, pid: 4242, retprobe: true },
    ]);
    expect(instance.maps.pb_start).toBeDefined(); // the LRU start map, unused: created at its smallest
    expect(instance.describe).toBe(`hist_log2 of the latency of ${timedCalls.bin}:${SYMBOL} (entry -> return)`);
  });

  it("puts 7 x 8.5 ms calls in [2^23, 2^24) ns and 5 x 34 ms calls in [2^25, 2^26) ns", async () => {
    const { r } = await runOnWorkload((pid) => ({
      kind: "latency", pair: { type: "uprobe", binary: timedCalls.bin, symbol: SYMBOL, pid }, filter: {}, keys: [],
      value: { op: "hist_log2", subBuckets: 1 }, durationMs: 60_000,
    }));
    // a sleep never ends early; 8.5 ms is above 2^23 ns (8.39 ms) and 34 ms above 2^25 ns (33.6 ms)
    expect(rowsOf(r)).toEqual([
      { lower: 2 ** 23, upper: 2 ** 24, count: 7 },
      { lower: 2 ** 25, upper: 2 ** 26, count: 5 },
    ]);
    expect(r.stats).toMatchObject({ events: 12, lost: 0, variant: "tracepoint" });
  });

  it("keys the pairs by comm and pid (the calling task at the return)", async () => {
    const { r, pid } = await runOnWorkload((p) => ({
      kind: "latency", pair: { type: "uprobe", binary: timedCalls.bin, symbol: SYMBOL }, filter: { pid: p }, keys: ["comm", "pid"],
      value: { op: "count" }, durationMs: 60_000,
    }));
    expect(rowsOf(r)).toEqual([{ comm: "timed-calls", pid, count: 12 }]);
  });

  it("sends only the calls over a threshold to the ring buffer, one row each", async () => {
    const { r, pid } = await runOnWorkload((p) => ({
      kind: "latency", pair: { type: "uprobe", binary: timedCalls.bin, symbol: SYMBOL, pid: p }, filter: {}, keys: ["tid"],
      value: { op: "count" }, thresholdNs: 20_000_000, durationMs: 60_000,
    }));
    expect(Object.keys(r.columns)).toEqual(["time_ns", "time", "latency_ns", "tid"]);
    expect(r.rowCount).toBe(5);
    expect([...(r.columns.tid as Uint32Array)]).toEqual(Array(5).fill(pid));
    expect([...(r.columns.latency_ns as Float64Array)].every((ns) => ns >= 34_000_000 && ns < 1e9)).toBe(true);
    expect(r.stats.dropped).toBe(0);
  });

  it("names the closest functions of the binary for an unknown symbol", () => {
    let err: unknown;
    try {
      plan({
        kind: "latency", pair: { type: "uprobe", binary: timedCalls.bin, symbol: "probebook_timed_cal" }, filter: {}, keys: [],
        value: { op: "hist_log2" }, durationMs: 1000,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanError);
    expect((err as PlanError).code).toBe("UNKNOWN_SYMBOL");
    expect((err as PlanError).message).toMatch(new RegExp(`^${timedCalls.bin} has no function "probebook_timed_cal" in its symbol tables\\. Closest: ${SYMBOL}[,.]`));
    expect((err as PlanError).details).toMatchObject({ symbol: "probebook_timed_cal" });
    expect(((err as PlanError).details.suggestions as string[])[0]).toBe(SYMBOL);
  });

  it("refuses keys a user function has no record for", () => {
    expect(() => plan({
      kind: "latency", pair: { type: "uprobe", binary: timedCalls.bin, symbol: SYMBOL }, filter: {}, keys: ["syscall"],
      value: { op: "count" }, durationMs: 1000,
    })).toThrow(/key "syscall" is not available for the latency of .*probebook_timed_call \(entry -> return\)\. Keys: pid, tid, uid, gid, cpu, cgroup, comm\./);
  });
});
