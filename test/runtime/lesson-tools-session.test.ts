// What the lesson notebooks use, through a real session and real BPF: the
// kernel's feature probes as a table (features()), each program's runs and run
// time from the kernel's BPF statistics ({ bpfStats: true }), an aggregation's
// per-CPU hit counters before their sum (meta.eventsPerCpu), and explain() of
// a template misconfigured on purpose, which the verifier refuses.

import { expect, test } from "vitest";
import { probeFeature } from "../../runtime/host/features.js";
import { workloadFile } from "../support/workload-file.js";
import { printed, realRunner, withSession } from "./fixtures/real-runner.js";
import { recordingContext } from "./fixtures/recording-context.js";

const steps = workloadFile("agg-steps", { sandbox: true });

test("features() is the runtime's own feature probes, one row each, with why a missing one is missing", async () => {
  await withSession(realRunner(), async (session) => {
    const ctx = recordingContext(1);
    expect(await session.execute(`console.log(JSON.stringify((await features()).objects()))`, ctx)).toEqual({ status: "ok" });
    const rows = printed(ctx) as { feature: string; available: boolean; failed_at: string; errno: string; why_missing: string }[];
    expect(rows.map((r) => r.feature)).toEqual(["tracepoint", "raw_tp", "tp_btf", "kprobe", "fentry", "uprobe", "usdt", "perf_event",
      "ringbuf", "percpu_hash", "percpu_array", "stack_trace"]);
    for (const r of rows) {
      const status = probeFeature(r.feature as Parameters<typeof probeFeature>[0]);
      expect({ feature: r.feature, available: r.available, failed_at: r.failed_at, errno: r.errno })
        .toEqual({ feature: r.feature, available: status.available, failed_at: status.failedAt ?? "", errno: status.code ?? "" });
      expect(r.why_missing === "").toBe(r.available);
    }
    // This host: no CONFIG_KPROBES (attaching fails), fentry refused at load.
    expect(rows.find((r) => r.feature === "kprobe")).toMatchObject({ available: false, failed_at: "attach", why_missing: "CONFIG_KPROBES is off" });
    expect(rows.find((r) => r.feature === "tracepoint")).toMatchObject({ available: true });
  });
}, 60_000);

test("{ bpfStats: true } counts exactly the workload's calls as runs of the program, with their time; per-CPU hits sum to the events", async () => {
  const stepper = await steps.stepper();
  await withSession(realRunner(() => stepper.step("p 5000")), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const t = await syscall("getppid").where({ pid: ${stepper.pid} }).count().run({ for: "200ms", bpfStats: true });`,
      `console.log(JSON.stringify({ count: t.get("count", 0), events: t.meta.events, perCpu: t.meta.eventsPerCpu, programs: t.meta.programs }))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    const r = printed(ctx) as { count: number; events: number; perCpu: number[]; programs: { name: string; runs: number; runTimeNs: number }[] };
    expect(r.count).toBe(5000);
    expect(r.events).toBe(5000);
    expect(r.perCpu.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(r.programs).toHaveLength(1);
    expect(r.programs[0]!.name).toBe("pb_agg_tp");
    // Every getppid on the machine runs the program; the filter drops the others in it.
    expect(r.programs[0]!.runs).toBeGreaterThanOrEqual(5000);
    expect(r.programs[0]!.runTimeNs).toBeGreaterThan(0);
  });
}, 60_000);

test("without bpfStats a run reports no program statistics", async () => {
  const stepper = await steps.stepper();
  await withSession(realRunner(() => stepper.step("p 10")), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute(
      `const e = await tracepoint("syscalls:sys_enter_getppid").where({ pid: ${stepper.pid} }).events({ for: "200ms" }); console.log(JSON.stringify({ rows: e.numRows(), programs: e.meta.programs ?? null }))`, ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual({ rows: 10, programs: null });
  });
}, 60_000);

test("an event stream with bpfStats counts its program's runs", async () => {
  const stepper = await steps.stepper();
  await withSession(realRunner(() => stepper.step("p 300")), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute(
      `const e = await tracepoint("syscalls:sys_enter_getppid").where({ pid: ${stepper.pid} }).events({ for: "200ms", bpfStats: true }); console.log(JSON.stringify({ rows: e.numRows(), programs: e.meta.programs }))`, ctx);
    expect(outcome).toEqual({ status: "ok" });
    const r = printed(ctx) as { rows: number; programs: { name: string; runs: number; runTimeNs: number }[] };
    expect(r.rows).toBe(300);
    expect(r.programs.map((p) => p.name)).toEqual(["pb_tp_events"]);
    expect(r.programs[0]!.runs).toBeGreaterThanOrEqual(300);
    expect(r.programs[0]!.runTimeNs).toBeGreaterThan(0);
  });
}, 60_000);

test("explain(..., { misconfigure }) shows the verifier refusing the template, with the broken configuration and the log's verdict", async () => {
  await withSession(realRunner(), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const x = await explain(tracepoint("syscalls:sys_enter_openat").fields("flags"), { misconfigure: "field-past-the-end" });`,
      `console.log(JSON.stringify({ misconfigured: x.data.misconfigured, dst: x.data.rodata.cfg.fields[0].dst_off, size: x.data.rodata.cfg.event_size,`,
      `  error: x.data.load.error.split("\\n")[0], log: x.data.load.verifierLog.includes("invalid access to memory, mem_size=64 off=64 size=4"),`,
      `  text: String(x).includes("the verifier refused it"), md: x._repr_mimebundle_()["text/markdown"].includes("The verifier's log, last 12 lines") }))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual({
      misconfigured: "field-past-the-end: the first field is copied to one byte past the end of the event record in the ring buffer",
      dst: 64, size: 64,
      error: expect.stringMatching(/^template tp_events for syscalls:sys_enter_openat did not load: load \S+tp_events\.bpf\.o: the verifier rejected program pb_tp_events: EACCES$/),
      log: true, text: true, md: true,
    });
  });
}, 60_000);

test("explain(..., { misconfigure }) of an unknown name or another template is a clear error", async () => {
  await withSession(realRunner(), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const out = [];`,
      `for (const [p, m] of [[tracepoint("syscalls:sys_enter_openat").fields("flags"), "nonsense"], [syscall("read").count(), "field-past-the-end"]])`,
      `  try { await explain(p, { misconfigure: m }); } catch (e) { out.push([e.code, e.message]); }`,
      `console.log(JSON.stringify(out))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual([
      ["BAD_DECLARATION", `explain(..., { misconfigure: "nonsense" }): no such misconfiguration; known: field-past-the-end`],
      ["BAD_DECLARATION", expect.stringContaining(`needs a probe of template tp_events with at least one field`)],
    ]);
  });
}, 60_000);

test("a ring of one page overflows on purpose: rows + drops are exactly the workload's calls, and most are drops", async () => {
  const stepper = await steps.stepper();
  await withSession(realRunner(() => stepper.step("p 200000")), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const t = await syscall("getppid").where({ pid: ${stepper.pid} }).ringBytes(4096).events({ for: "300ms" });`,
      `const e = await explain(t);`,
      `console.log(JSON.stringify({ rows: t.numRows(), dropped: t.meta.dropped, ring: e.data.maps.find((m) => m.type === "ringbuf").maxEntries }))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    const r = printed(ctx) as { rows: number; dropped: number; ring: number };
    expect(r.ring).toBe(4096);
    expect(r.rows + r.dropped).toBe(200_000);
    expect(r.dropped).toBeGreaterThan(0);
  });
}, 60_000);

test("ringBytes that is no power of two, or on an aggregation, is refused with what to do", async () => {
  await withSession(realRunner(), async (session) => {
    const ctx = recordingContext(1);
    const outcome = await session.execute([
      `const out = [];`,
      `try { syscall("getppid").ringBytes(5000) } catch (e) { out.push(e.message) }`,
      `try { await syscall("getppid").ringBytes(4096).count().run({ for: "100ms" }) } catch (e) { out.push(e.message) }`,
      `console.log(JSON.stringify(out))`,
    ].join("\n"), ctx);
    expect(outcome).toEqual({ status: "ok" });
    expect(printed(ctx)).toEqual([
      `syscall("getppid").ringBytes(5000): the size must be a power of two from 4096 (a page) to 67108864 (64 MiB) bytes`,
      expect.stringContaining(`.ringBytes() sizes an event stream's ring buffer; an aggregation keeps its values in a map`),
    ]);
  });
}, 60_000);
