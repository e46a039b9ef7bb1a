// Real kernel, real BPF: a workload started by the test opens a unique path
// exactly 1,000 times; the tp_events template traces syscalls:sys_enter_openat
// filtered in the kernel to that one process.
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { plan } from "../../../runtime/planner/plan.js";
import { runRing } from "../../../runtime/runs/ring.js";
import { startHeld } from "../../bpf/support/workload.js";
import { buildC, type BuiltC } from "../../bpf/support/build-c.js";
import { killSpawned } from "../../support/children.js";
import { recordHeld } from "../../support/held-bpf.js";

const OPENS = 1000;
let build: BuiltC;

beforeAll(() => {
  build = buildC("open-loop");
});
afterAll(() => build?.cleanup());
afterEach(killSpawned);
const held = recordHeld();

describe("runEvents on syscalls:sys_enter_openat", () => {
  it("returns one row per open of the filtered process, in order, with nothing dropped", async () => {
    const path = `/tmp/probebook-${randomBytes(8).toString("hex")}`;
    writeFileSync(path, "x");
    const wl = await startHeld(build.bin, [path, String(OPENS)]);
    let exitCode: number | null | undefined;
    try {
      const progress: number[] = [];
      const result = await runRing(plan({
          kind: "events",
          source: { type: "tracepoint", name: "syscalls:sys_enter_openat" },
          fields: ["filename", "flags"],
          filter: { pid: wl.pid },
          durationMs: 1500,
        }),
        {
          onAttached: async () => {
            exitCode = await wl.go(); // the whole workload runs while attached
          },
          onProgress: (p) => progress.push(p.events),
          progressIntervalMs: 100,
        },
      );
      expect(exitCode).toBe(0);
      expect(result.rowCount).toBe(OPENS);
      expect(result.stats.events).toBe(OPENS);
      expect(result.stats.dropped).toBe(0);
      expect(result.stats.seen).toBe(OPENS);
      expect(result.stats.missed).toBe(0); // the program's recursion misses: none at a syscall's entry
      expect(result.stats.stoppedBy).toBe("duration");
      expect(Object.keys(result.columns)).toEqual(
        ["time_ns", "time", "cpu", "pid", "tid", "uid", "gid", "cgroup", "comm", "filename", "flags"]);
      expect(result.columnTypes).toEqual({
        time_ns: "float64", time: "date", cpu: "uint32", pid: "uint32", tid: "uint32", uid: "uint32", gid: "uint32",
        cgroup: "float64", comm: "string", filename: "string", flags: "int32",
      });
      expect([...new Set(result.columns.pid as Uint32Array)]).toEqual([wl.pid]);
      expect([...new Set(result.columns.tid as Uint32Array)]).toEqual([wl.pid]); // single-threaded
      expect([...new Set(result.columns.uid as Uint32Array)]).toEqual([process.getuid!()]);
      expect([...new Set(result.columns.comm as string[])]).toEqual(["open-loop"]);
      expect([...new Set(result.columns.filename as string[])]).toEqual([path]);
      expect([...new Set(result.columns.flags as Int32Array)]).toEqual([0]); // O_RDONLY
      // ring order = time order for one thread
      const t = result.columns.time_ns as Float64Array;
      for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThanOrEqual(t[i - 1]!);
      expect(progress.length).toBeGreaterThan(0);
    } finally {
      wl.dispose();
      rmSync(path, { force: true });
    }
    expect(await held.leftovers()).toEqual([]); // detached, closed and freed: exactly what this process held
  });

  it("records only the common columns asked for, with the same values, in a lean record", async () => {
    const path = `/tmp/probebook-${randomBytes(8).toString("hex")}`;
    writeFileSync(path, "x");
    const wl = await startHeld(build.bin, [path, String(OPENS)]);
    let exitCode: number | null | undefined;
    try {
      const decl = {
        kind: "events" as const,
        source: { type: "tracepoint" as const, name: "syscalls:sys_enter_openat" },
        fields: ["filename"],
        columns: ["time_ns", "pid", "cpu"],
        filter: { pid: wl.pid },
        durationMs: 1500,
      };
      expect(plan(decl).ring.recordSize).toBe(16 + 256); // a 16-byte header, then the string
      const result = await runRing(plan(decl), { onAttached: async () => { exitCode = await wl.go(); } });
      expect(exitCode).toBe(0);
      expect(result.rowCount).toBe(OPENS);
      expect(result.stats.dropped).toBe(0);
      expect(result.stats.seen).toBe(OPENS);
      expect(Object.keys(result.columns)).toEqual(["time_ns", "time", "cpu", "pid", "filename"]);
      expect([...new Set(result.columns.pid as Uint32Array)]).toEqual([wl.pid]);
      expect([...new Set(result.columns.filename as string[])]).toEqual([path]);
      const cpus = new Set(result.columns.cpu as Uint32Array);
      for (const c of cpus) expect(c).toBeLessThan(64);
      const t = result.columns.time_ns as Float64Array;
      expect(t[0]).toBeGreaterThan(0);
      for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThanOrEqual(t[i - 1]!);
    } finally {
      wl.dispose();
      rmSync(path, { force: true });
    }
    expect(await held.leftovers()).toEqual([]);
  });

  it("stops at the row limit and on abort, detaching every time", async () => {
    const path = `/tmp/probebook-${randomBytes(8).toString("hex")}`;
    const wl = await startHeld(build.bin, [path, String(OPENS)]);
    try {
      const limited = await runRing(plan({
          kind: "events",
          source: { type: "tracepoint", name: "syscalls:sys_enter_openat" },
          fields: ["filename"],
          filter: { pid: wl.pid },
          durationMs: 20_000,
          limit: 10,
        }),
        { onAttached: () => void wl.go() },
      );
      expect(limited.stats.stoppedBy).toBe("limit");
      expect(limited.rowCount).toBe(10);
      expect(limited.columns.filename).toEqual(Array(10).fill(path));
      expect(limited.stats.durationMs).toBeLessThan(10_000);
    } finally {
      wl.dispose();
    }
    const ac = new AbortController();
    const aborted = await runRing(plan({
        kind: "events",
        source: { type: "tracepoint", name: "sched:sched_process_exec" },
        fields: [],
        filter: {},
        durationMs: 20_000,
      }),
      { signal: ac.signal, onAttached: () => void setTimeout(() => ac.abort(), 50) },
    );
    expect(aborted.stats.stoppedBy).toBe("abort");
    expect(aborted.stats.durationMs).toBeLessThan(5_000);
    expect(Object.keys(aborted.columns).slice(9)).toEqual(["filename", "tp_pid", "old_pid"]); // after the common columns and time
    expect(await held.leftovers()).toEqual([]); // detached, closed and freed: exactly what this process held
  });

  it("counts every event a full ring buffer drops: rows + drops = opens", async () => {
    const path = `/tmp/probebook-${randomBytes(8).toString("hex")}`;
    const wl = await startHeld(build.bin, [path, String(OPENS)]);
    try {
      const instance = plan({
        kind: "events",
        source: { type: "tracepoint", name: "syscalls:sys_enter_openat" },
        fields: ["filename"],
        filter: { pid: wl.pid },
        durationMs: 300,
      });
      instance.maps.pb_events = { maxEntries: 4096 }; // one page: room for 12 records of 320 B
      const result = await runRing(instance, { onAttached: async () => void (await wl.go()) });
      expect(result.stats.dropped).toBeGreaterThan(0);
      expect(result.stats.events + result.stats.dropped).toBe(OPENS);
      expect(result.stats.seen).toBe(OPENS);
      expect(result.rowCount).toBe(result.stats.events);
      expect(new Set(result.columns.filename as string[])).toEqual(new Set([path]));
    } finally {
      wl.dispose();
    }
  });
});
