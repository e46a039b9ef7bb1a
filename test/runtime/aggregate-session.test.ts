// Background aggregations read while they run, the kernel's event count of
// every aggregation, and progress while an aggregation runs - from cell source
// through the session, runtime/runs/run.ts and real BPF, on workloads the test
// drives step by step (test/bpf/support/agg-steps.c).
import { expect, test } from "vitest";
import { workloadFile } from "../support/workload-file.js";
import { printed, realRunner, withSession } from "./fixtures/real-runner.js";
import { recordingContext } from "./fixtures/recording-context.js";

const steps = workloadFile("agg-steps", { sandbox: true });

test("tracepoint(...).count().by(\"cpu\").start(): snapshots give the totals so far, stop the final table", async () => {
  const s = await steps.stepper();
  await s.step("c 0"); // every call on CPU 0: one row
  await withSession(realRunner(), async (session) => {
    const start = `const run = tracepoint("syscalls:sys_enter_getppid").where({ pid: ${s.pid} }).count().by("cpu").start({ name: "cpu" }); await run.started; 1`;
    expect(await session.execute(start, recordingContext(1))).toMatchObject({ status: "ok" });
    await s.step("p 300");
    const first = recordingContext(2);
    expect(await session.execute(`const a = await run.snapshot(); console.log(JSON.stringify([a.objects(), a.meta.events, a.meta.partial]))`, first)).toEqual({ status: "ok" });
    expect(printed(first)).toEqual([[{ cpu: 0, count: 300 }], 300, true]);
    await s.step("p 200");
    const second = recordingContext(3);
    expect(await session.execute(`const b = await run.snapshot(); console.log(JSON.stringify([b.objects(), b.meta.events]))`, second)).toEqual({ status: "ok" });
    expect(printed(second)).toEqual([[{ cpu: 0, count: 500 }], 500]); // the first read took nothing away
    const stopped = recordingContext(4);
    expect(await session.execute(`const c = await run.stop(); console.log(JSON.stringify([c.objects(), c.meta.events, c.meta.lost, c.meta.missed, c.meta.stoppedBy]))`, stopped)).toEqual({ status: "ok" });
    expect(printed(stopped)).toEqual([[{ cpu: 0, count: 500 }], 500, 0, 0, "abort"]);
  });
}, 60_000);

test("a background time series: a snapshot holds the completed intervals, the counters count every event", async () => {
  const s = await steps.stepper();
  await withSession(realRunner(), async (session) => {
    expect(await session.execute(`const run = syscall("getppid").where({ pid: ${s.pid} }).count().every("1h").start(); await run.started; 1`, recordingContext(1))).toMatchObject({ status: "ok" });
    await s.step("p 250");
    const snap = recordingContext(2);
    expect(await session.execute(`const a = await run.snapshot(); console.log(JSON.stringify([a.numRows(), a.meta.events]))`, snap)).toEqual({ status: "ok" });
    expect(printed(snap)).toEqual([0, 250]); // the first hour is not over: no interval is complete
    const stopped = recordingContext(3);
    expect(await session.execute(`const t = await run.stop(); console.log(JSON.stringify([t.select("interval", "count").objects(), t.meta.events]))`, stopped)).toEqual({ status: "ok" });
    expect(printed(stopped)).toEqual([[{ interval: 0, count: 250 }], 250]);
  });
}, 60_000);

test("meta.events of sum, min and max (no count column) is the kernel's count of events aggregated", async () => {
  const s = await steps.stepper();
  // writes of 1..100 bytes; the workload's "done\n" lines (5 bytes) are left out by the predicate
  await withSession(realRunner(() => s.step("w 100")), async (session) => {
    const ctx = recordingContext(1);
    const code = (op: string) => `(await syscall("write").where({ pid: ${s.pid}, count: { ge: 6 } }).${op}("count").run({ for: "300ms" }))`;
    const outcome = await session.execute([
      `const sum = ${code("sum")}, max = ${code("max")}, min = ${code("min")};`,
      `console.log(JSON.stringify([sum.objects(), sum.meta.events, max.objects(), max.meta.events, min.objects(), min.meta.events]))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual([[{ sum: 5050 - 15 }], 95, [{ max: 100 }], 95, [{ min: 6 }], 95]);
  });
}, 60_000);

test("an aggregation shows its progress in place while it runs: elapsed time and events", async () => {
  const s = await steps.stepper();
  await withSession(realRunner(() => s.step("p 4000")), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute(`const t = await syscall("getppid").where({ pid: ${s.pid} }).count().run({ for: "1800ms" }); t.numRows()`, ctx);
    expect(outcome).toMatchObject({ status: "ok" });
    const lines = ctx.events.flatMap((e) => (e.kind === "display" ? [{ text: String(e.bundle["text/plain"]), id: e.opts?.displayId, update: e.opts?.update }] : []));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(new Set(lines.map((l) => l.id)).size).toBe(1); // one output, updated in place
    expect(lines[0]!.update).toBe(false);
    expect(lines.slice(1).every((l) => l.update)).toBe(true);
    expect(lines[0]!.text).toMatch(/^count of syscalls:sys_enter_getppid: collecting, \d\.\d s of 1\.8 s, 4000 events \(\d+\/s\)$/);
    expect(lines.at(-1)!.text).toBe(""); // the result takes its place: nothing was lost, so nothing to say
  });
}, 60_000);
