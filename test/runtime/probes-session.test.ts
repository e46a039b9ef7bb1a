// Cells through the real kernel path: the session's sandbox and bridge,
// runtime/runs/run.ts (planner, templates, native addon, real BPF) and workloads
// the test starts itself, driven step by step so that every syscall happens
// while the probe is attached.

import { expect, test } from "vitest";
import { libcPath } from "../../runtime/host/features.js";
import { createExecutor } from "../../runtime/session.js";
import { withHeldWorkload } from "../bpf/support/workload.js";
import { describeHeld, waitUntilHoldsNothing } from "../support/held-bpf.js";
import { workloadFile } from "../support/workload-file.js";
import { printed, realRunner, withSession } from "./fixtures/real-runner.js";
import { recordingContext } from "./fixtures/recording-context.js";

const steps = workloadFile("agg-steps", { sandbox: true });

test("syscall(\"getppid\").count().by(\"pid\") counts exactly 10,000 calls of the workload", async () => {
  const stepper = await steps.stepper();
  await withSession(realRunner(() => stepper.step("p 10000")), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const t = await syscall("getppid").where({ pid: ${stepper.pid} }).count().by("pid").run({ for: "200ms" });`,
      `console.log(JSON.stringify({ rows: t.objects(), lost: t.meta.lost, events: t.meta.events, explained: (await explain(t)).data.describe }))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual({ rows: [{ pid: stepper.pid, count: 10000 }], lost: 0, events: 10000, explained: "count of syscalls:sys_enter_getppid by pid" });
  });
}, 60_000);

test("a latency histogram puts sleeps of known lengths in their log2 buckets", async () => {
  const stepper = await steps.stepper();
  await withSession(realRunner(async () => {
    await stepper.step("s 7 8500");
    await stepper.step("s 5 34000");
  }), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const h = await syscall("clock_nanosleep").latency().where({ pid: ${stepper.pid} }).histogram({ subBuckets: 1, for: "200ms" });`,
      `console.log(JSON.stringify(h.objects()))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    // Sleeps start just above a power of two and are long enough that wake-up latency on a loaded
    // 2-core machine stays inside the bucket (the sleeps run before the window's duration starts):
    // 8.5 ms lands in [2^23, 2^24) ns (up to 8.27 ms late), 34 ms in [2^25, 2^26) ns (up to 33.1 ms late)
    expect(printed(ctx)).toEqual([
      { lower: 8388608, upper: 16777216, count: 7 },
      { lower: 33554432, upper: 67108864, count: 5 },
    ]);
  });
}, 60_000);

test("a uprobe on libc's lldiv sees every call of the workload with its argument", async () => {
  await withHeldWorkload("libc-calls", ["500"], async (workload) => {
    await withSession(realRunner(async () => void (await workload.go())), async (session) => {
      const ctx = recordingContext(1);
      const outcome = await session.execute([
        `const calls = await uprobe(${JSON.stringify(libcPath())}, "lldiv", { pid: ${workload.pid} }).arg("n", 0, "long").events({ for: "200ms" });`,
        `console.log(JSON.stringify({ rows: calls.numRows(), first: calls.get("n", 0), last: calls.get("n", calls.numRows() - 1), comm: calls.get("comm", 0) }))`,
      ].join("\n"), ctx);
      expect(outcome).toEqual({ status: "ok" });
      expect(printed(ctx)).toEqual({ rows: 500, first: 1007, last: 500007, comm: "libc-calls" });
    });
  });
}, 60_000);

test("a background run: two snapshots while other cells run, then stop", async () => {
  const stepper = await steps.stepper();
  await withSession(realRunner(), async (session) => {
    const started = await session.execute(`const run = syscall("getppid").where({ pid: ${stepper.pid} }).start({ name: "ppid" }); await run.started; String(run)`, recordingContext(1));
    expect(started).toEqual({ status: "ok", result: { data: { "text/plain": `'background run "ppid" (running): syscall("getppid").where({"pid":${stepper.pid}})'` } } });
    await stepper.step("p 300");
    const first = recordingContext(2);
    expect(await session.execute(`await sleep(150); const a = await run.snapshot(); console.log(JSON.stringify([a.numRows(), a.meta.partial]))`, first)).toEqual({ status: "ok" });
    expect(printed(first)).toEqual([300, true]);
    // An interrupt ends the running cell's work, not background runs.
    session.interrupt();
    await stepper.step("p 200");
    const second = recordingContext(3);
    expect(await session.execute(`await sleep(150); const b = await run.snapshot(); console.log(JSON.stringify([b.numRows(), (await runs()).map(String)]))`, second)).toEqual({ status: "ok" });
    expect(printed(second)).toEqual([500, ['background run "ppid" (running): syscall("getppid").where({"pid":' + stepper.pid + "})"]]);
    const stopped = recordingContext(4);
    expect(await session.execute(`const c = await run.stop(); console.log(JSON.stringify([c.numRows(), c.meta.stoppedBy, c.meta.dropped, (await runs()).length]))`, stopped)).toEqual({ status: "ok" });
    expect(printed(stopped)).toEqual([500, "abort", 0, 0]);
  });
}, 60_000);

test("a background aggregation: a time series started in one cell, stopped in another; snapshots hold the completed intervals", async () => {
  const stepper = await steps.stepper();
  await withSession(realRunner(), async (session) => {
    expect(await session.execute(`const run = syscall("getppid").where({ pid: ${stepper.pid} }).count().every("1h").start(); await run.started; 1`, recordingContext(1))).toMatchObject({ status: "ok" });
    await stepper.step("p 250");
    const snap = recordingContext(2);
    expect(await session.execute(`const s = await run.snapshot(); console.log(JSON.stringify([s.numRows(), s.meta.events]))`, snap)).toEqual({ status: "ok" });
    expect(printed(snap)).toEqual([0, 250]); // the hour is not over: no interval is complete yet
    const stopped = recordingContext(3);
    expect(await session.execute(`const t = await run.stop(); console.log(JSON.stringify([t.select("interval", "count").objects(), t.meta.events, t.meta.lost]))`, stopped)).toEqual({ status: "ok" });
    expect(printed(stopped)).toEqual([[{ interval: 0, count: 250 }], 250, 0]);
  });
}, 60_000);

test("a background run that can't be planned fails at start, in the cell", async () => {
  await withSession(realRunner(), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute(`const run = syscall("nope_nope").count().start(); await run.started`, ctx);
    expect(outcome).toMatchObject({ status: "error", ename: "PlanError" });
    expect(ctx.events).toContainEqual({ kind: "stream", name: "stderr", text: expect.stringMatching(/^background run "syscall\(\\"nope_nope\\"\)\.count\(\)" did not start: Unknown tracepoint/) });
    expect(await session.execute(`(await runs()).length`, recordingContext(2))).toEqual({ status: "ok", result: { data: { "text/plain": "0" } } });
  });
}, 60_000);

test("kernel shutdown stops background runs and releases every BPF object", async () => {
  const session = createExecutor({ warmUpAfterMs: false, probeRunner: realRunner() });
  try {
    const outcome = await session.execute(`const a = tracepoint("sched:sched_switch").start(); const b = syscall("getppid").count().by("pid").start(); await a.started; await b.started; (await runs()).length`, recordingContext(1));
    expect(outcome).toEqual({ status: "ok", result: { data: { "text/plain": "2" } } });
    expect(describeHeld().length).toBeGreaterThan(0);
  } finally {
    await session.shutdown();
  }
  // runs detach and close on a worker (closeAsync: the detach waits on RCU grace
  // periods), so the release follows shutdown by a moment
  expect(await waitUntilHoldsNothing()).toEqual([]);
}, 60_000);

test("explain() plans, loads through the verifier without attaching, and reports the programs", async () => {
  await withSession(realRunner(), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const e = await explain(syscall("getppid").count().by("pid"));`,
      `const d = e.data;`,
      `console.log(JSON.stringify({ template: d.template, attach: d.attach, programs: d.programs, describe: d.describe,`,
      `  loaded: d.load.programs.map((p) => [p.name, p.type, p.xlatedInsns > 0, p.verifiedInsns >= p.xlatedInsns]),`,
      `  maps: d.maps.filter((m) => m.name === "pb_agg0").map((m) => [m.type, m.maxEntries]), text: String(e).split("\\n").slice(0, 3) }))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual({
      template: "agg_tp",
      attach: ["tracepoint syscalls:sys_enter_getppid (pb_agg_tp)"],
      programs: ["pb_agg_tp"],
      describe: "count of syscalls:sys_enter_getppid by pid",
      loaded: [["pb_agg_tp", "tracepoint", true, true]],
      maps: [["percpu_hash", 10240]],
      text: [
        'syscall("getppid").count().by("pid")',
        "  count of syscalls:sys_enter_getppid by pid",
        "template: agg_tp (bpf/build/agg_tp.bpf.o), programs: pb_agg_tp",
      ],
    });
    // A plan with a tp_btf variant is explained as this kernel loads it: the BTF programs
    const btf = recordingContext(5);
    expect(await session.execute([
      `const b = (await explain(block().by("dev"))).data;`,
      `console.log(JSON.stringify({ programs: b.programs, attach: b.attach, loaded: b.load.programs.map((p) => p.name), why: /keeps the object's tp_btf variant/.test(b.why) }))`,
    ].join("\n"), btf)).toEqual({ status: "ok" });
    expect(printed(btf)).toEqual({
      programs: ["pb_lat_rq_issue", "pb_lat_rq_done"],
      attach: ["tp_btf block:block_rq_issue (pb_lat_rq_issue)", "tp_btf block:block_rq_complete (pb_lat_rq_done)"],
      loaded: ["pb_lat_rq_issue", "pb_lat_rq_done"],
      why: true,
    });
    // As a cell's value: text and Markdown; the plan only, when asked not to load.
    const shown = await session.execute(`await explain(runqueue().by("comm"), { load: false })`, recordingContext(2));
    expect(shown.status).toBe("ok");
    const data = (shown as { result: { data: Record<string, string> } }).result.data;
    expect(Object.keys(data).sort()).toEqual(["text/markdown", "text/plain"]);
    expect(data["text/plain"].split("\n")[0]).toBe('runqueue().by("comm")');
    expect(data["text/plain"]).toContain("not loaded (explain(probe, { load: true }) loads it through the verifier)");
    expect(data["text/markdown"]).toContain("| pb_start | lru_hash | 16384 | 16 | 8 | 384 KiB | start times waiting for their end |");
  });
}, 60_000);

test("fentry and kprobe (events and latencies) are refused with the missing feature and what to use instead", async () => {
  await withSession(realRunner(), async (session) => {
    const fentry = await session.execute(`await fentry("vfs_read").events({ for: "1s" })`, recordingContext(1));
    expect(fentry.status === "error" && [fentry.ename, fentry.evalue]).toEqual(["FeatureUnavailableError", expect.stringMatching(
      /^fentry\/fexit \(BPF trampolines\) are not available on this kernel .*Use tracepoint syscalls:sys_enter_read instead\.$/s)]);
    const kprobe = await session.execute(`await kprobe("do_sys_openat2").events({ for: "1s" })`, recordingContext(2));
    expect(kprobe.status === "error" && [kprobe.ename, kprobe.evalue]).toEqual(["FeatureUnavailableError", expect.stringMatching(
      /^kprobes are not available on this kernel \(CONFIG_KPROBES is off.*Use tracepoint syscalls:sys_enter_openat instead\.$/s)]);
    const latency = await session.execute(`await kprobe("vfs_read").latency().by("comm").histogram({ for: "1s" })`, recordingContext(3));
    expect(latency.status === "error" && [latency.ename, latency.evalue]).toEqual(["FeatureUnavailableError", expect.stringMatching(
      /^kprobes are not available on this kernel \(CONFIG_KPROBES is off.*\)\. Measure the syscall instead: syscall\("read"\)\.latency\(\) \(entry to exit of read, per thread\)\.$/s)]);
    const fexit = await session.execute(`await fentry("blk_mq_start_request").latency().events({ over: "1ms", for: "1s" })`, recordingContext(4));
    expect(fexit.status === "error" && [fexit.ename, fexit.evalue]).toEqual(["FeatureUnavailableError", expect.stringMatching(
      /^fentry\/fexit \(BPF trampolines\) are not available on this kernel .*\. Measure block\(\) instead \(block:block_rq_issue\)\.$/s)]);
  });
}, 60_000);

test(".columns() keeps only the common columns asked for, and every event still arrives", async () => {
  const stepper = await steps.stepper();
  await withSession(realRunner(() => stepper.step("p 300")), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const t = await syscall("getppid").where({ pid: ${stepper.pid} }).columns("time_ns", "pid").events({ for: "200ms" });`,
      `console.log(JSON.stringify({ names: t.columnNames(), rows: t.numRows(), pids: [...new Set(t.array("pid"))], dropped: t.meta.dropped }))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual({ names: ["time_ns", "time", "pid"], rows: 300, pids: [stepper.pid], dropped: 0 });
  });
}, 60_000);
