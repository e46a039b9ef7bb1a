// Real kernel, real BPF: the opt-in kstack/ustack columns of tp_events and the
// stack keys of agg_tp, named in user space (runtime/templates/stack-columns.ts), on a
// workload (test/bpf/support/stack-calls.c) whose every getppid comes from one
// uniquely named function.
import { describe, expect, it } from "vitest";
import type { AggregateDeclaration, EventsDeclaration } from "../../../runtime/spec/declaration.js";
import { plan } from "../../../runtime/planner/plan.js";
import { runAggregate } from "../../../runtime/runs/aggregate.js";
import { runRing } from "../../../runtime/runs/ring.js";
import { workloadFile } from "../../support/workload-file.js";
import { rowsOf } from "../fixtures/aggregate-run.js";

const { withStepper } = workloadFile("stack-calls", { flags: ["-O0", "-fno-omit-frame-pointer"] });

const N = 250;
const MARKER = "probebook_stack_marker";
const GETPPID_NR = 110; // x86-64
const SYSCALL_ENTRY = /entry_SYSCALL|do_syscall_64/;

const getppidEvents = (pid: number, columns: string[]): EventsDeclaration => ({
  kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_getppid" }, fields: [], columns,
  filter: { pid }, durationMs: 300,
});

describe("stack columns of tracepoint events (tp_events)", () => {
  it("are opt-in: the default plan has no stack column, map or rodata", () => {
    const { columns: _all, ...decl } = getppidEvents(1, []);
    const p = plan(decl as EventsDeclaration);
    expect(p.columns.map((c) => c.name)).toEqual(["time_ns", "cpu", "pid", "tid", "uid", "gid", "cgroup", "comm"]);
    expect(p.stacks).toBeUndefined();
    expect(p.rodata.cfg.stacks).toBeUndefined();
    expect(Object.keys(p.maps)).toEqual(["pb_events"]);
  });

  it("plans ustack after the header, with the pid it needs, and sizes the stack map", () => {
    const p = plan(getppidEvents(1, ["time_ns", "ustack"]));
    expect(p.columns.map((c) => `${c.name}:${c.kind}@${c.offset}`)).toEqual(["time_ns:u64_f64@0", "pid:u32@8", "ustack:s32@16"]);
    expect(p.rodata.cfg.stacks).toEqual({ kstack: 0, ustack: 1, kstack_off: 0, ustack_off: 16 });
    expect(p.rodata.cfg.event_size).toBe(24);
    expect(p.stacks).toEqual({ map: "pb_stacks", columns: ["ustack"], pidColumn: "pid" });
    expect(p.maps.pb_stacks).toEqual({ maxEntries: 8192 });
  });

  it(`gives ${N} rows whose user stack runs through the calling function`, async () => {
    await withStepper(async (s) => {
      const r = await runRing(plan(getppidEvents(s.pid, ["time_ns", "pid", "ustack"])), { onAttached: () => s.step(`p ${N}`) });
      expect(r.columnTypes).toEqual({ time_ns: "float64", time: "date", pid: "uint32", ustack: "string" });
      expect(r.rowCount).toBe(N);
      expect(r.stats).toMatchObject({ events: N, dropped: 0 });
      const stacks = new Set(r.columns.ustack as string[]);
      expect(stacks.size).toBe(1); // the same call site every time: one stack
      const [ustack] = [...stacks] as [string];
      const frames = ustack.split(";");
      expect(frames.at(-1)).toBe(MARKER); // innermost last: the syscall instruction is in the marker
      expect(frames.at(-2)).toBe("main");
    });
  });

  it(`gives ${N} kernel stacks through the syscall entry, with the user stacks`, async () => {
    await withStepper(async (s) => {
      const r = await runRing(plan(getppidEvents(s.pid, ["pid", "kstack", "ustack"])), { onAttached: () => s.step(`p ${N}`) });
      expect(Object.keys(r.columns)).toEqual(["pid", "kstack", "ustack"]);
      expect(r.rowCount).toBe(N);
      const kstacks = r.columns.kstack as string[];
      const ustacks = r.columns.ustack as string[];
      for (let i = 0; i < N; i++) {
        expect(kstacks[i]).toMatch(SYSCALL_ENTRY);
        expect(ustacks[i]!.split(";").at(-1)).toBe(MARKER);
      }
    });
  });
});

describe("stack keys of tracepoint aggregations (agg_tp)", () => {
  const countBy = (pid: number, keys: string[], name = "syscalls:sys_enter_getppid"): AggregateDeclaration => ({
    kind: "aggregate", source: { type: "tracepoint", name }, filter: { pid }, keys, value: { op: "count" }, durationMs: 300,
  });

  it(`counts ${N} calls in one row keyed by the user stack`, async () => {
    await withStepper(async (s) => {
      const r = await runAggregate(countBy(s.pid, ["ustack"]), { onAttached: () => s.step(`p ${N}`) });
      expect(r.columnTypes).toEqual({ ustack: "string", pid: "uint32", count: "float64" });
      const rows = rowsOf(r);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ pid: s.pid, count: N });
      expect((rows[0]!.ustack as string).split(";").at(-1)).toBe(MARKER);
      expect(r.stats).toMatchObject({ events: N, lost: 0 });
    });
  });

  it(`counts ${N} calls in one row keyed by the kernel stack, through the syscall entry`, async () => {
    await withStepper(async (s) => {
      const r = await runAggregate(countBy(s.pid, ["kstack"]), { onAttached: () => s.step(`p ${N}`) });
      expect(r.columnTypes).toEqual({ kstack: "string", count: "float64" });
      const rows = rowsOf(r);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.count).toBe(N);
      expect(rows[0]!.kstack).toMatch(SYSCALL_ENTRY);
    });
  });

  it(`keys by kernel stack on raw_syscalls too (getppid's number: ${N} calls)`, async () => {
    await withStepper(async (s) => {
      const decl = countBy(s.pid, ["kstack"], "raw_syscalls:sys_enter");
      decl.filter = { pid: s.pid, where: [{ field: "id", op: "==", value: GETPPID_NR }] };
      const r = await runAggregate(decl, { onAttached: () => s.step(`p ${N}`) });
      const rows = rowsOf(r);
      expect(rows.reduce((n, row) => n + (row.count as number), 0)).toBe(N);
      for (const row of rows) expect(row.kstack).toMatch(SYSCALL_ENTRY);
    });
  });

  it("are opt-in: an aggregation without them has no stack map size or stacks plan", () => {
    const p = plan(countBy(1, ["pid"]));
    expect(p.stacks).toBeUndefined();
    expect(p.maps.pb_stacks).toBeUndefined();
  });
});
