// In-kernel filters of event streams (bpf/filter.h in tp_events and
// uprobe_events), on workloads the test starts: open-flags opens a unique path
// 1,000 times alternating O_RDONLY and O_RDONLY | O_CLOEXEC, libc-calls calls
// lldiv 500 times. Every count is exact: the filter runs before a record is
// reserved, so `seen` (what passed the filter) equals the rows. Function probes
// compare their arguments' registers (struct pt_regs) in the kernel.
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { EventsDeclaration, Filter, FunctionEventsDeclaration } from "../../../runtime/spec/declaration.js";
import { runRing } from "../../../runtime/runs/ring.js";
import { plan } from "../../../runtime/planner/plan.js";
import { startHeld } from "../../bpf/support/workload.js";
import { buildC, type BuiltC } from "../../bpf/support/build-c.js";
import { killSpawned } from "../../support/children.js";
import { recordHeld } from "../../support/held-bpf.js";

const OPENS = 1000;
const O_CLOEXEC = 0x80000;
const LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";
let openFlags: BuiltC, libcCalls: BuiltC;
let path: string;

beforeAll(() => {
  openFlags = buildC("open-flags");
  libcCalls = buildC("libc-calls");
  path = `/tmp/probebook-filter-${randomBytes(8).toString("hex")}`;
  writeFileSync(path, "x");
});
afterAll(() => {
  openFlags?.cleanup();
  libcCalls?.cleanup();
  rmSync(path, { force: true });
});
afterEach(killSpawned);
const held = recordHeld();

/** Opens of the workload (pinned to CPU 0 when `pinned`: sampling is 1 in N per CPU) under `filter(pid)`. */
async function opens(filter: (pid: number) => Filter, pinned = false) {
  const wl = pinned
    ? await startHeld("/usr/bin/taskset", ["-c", "0", openFlags.bin, path, String(OPENS)])
    : await startHeld(openFlags.bin, [path, String(OPENS)]);
  let exitCode: number | null | undefined;
  try {
    const decl: EventsDeclaration = {
      kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_openat" },
      fields: ["filename", "flags"], filter: filter(wl.pid), durationMs: 800,
    };
    const r = await runRing(plan(decl), { onAttached: async () => void (exitCode = await wl.go()) });
    expect(exitCode).toBe(0);
    const files = new Set(r.columns.filename as string[]);
    return { rows: r.rowCount, seen: r.stats.seen, dropped: r.stats.dropped, files, flags: [...(r.columns.flags as Int32Array)],
      pids: new Set(r.columns.pid as Uint32Array), pid: wl.pid };
  } finally {
    wl.dispose();
  }
}

describe("tp_events with the shared in-kernel filter", () => {
  it("keeps exactly the half whose flags == O_CLOEXEC, or whose flags have no O_CLOEXEC bit", async () => {
    const eq = await opens((pid) => ({ pid, where: [{ field: "flags", op: "==", value: O_CLOEXEC }] }));
    expect(eq).toMatchObject({ rows: OPENS / 2, seen: OPENS / 2, dropped: 0 });
    expect(new Set(eq.flags)).toEqual(new Set([O_CLOEXEC]));
    const ne = await opens((pid) => ({ pid, where: [{ field: "flags", op: "!=", value: O_CLOEXEC }] }));
    expect(ne).toMatchObject({ rows: OPENS / 2, seen: OPENS / 2 });
    expect(new Set(ne.flags)).toEqual(new Set([0]));
    // two predicates ANDed: the bit is set, and flags >= 0 (signed compare of an int)
    const both = await opens((pid) => ({ pid, where: [{ field: "flags", op: "&", value: "0x80000" }, { field: "flags", op: ">=", value: 0 }] }));
    expect(both.rows).toBe(OPENS / 2);
    const none = await opens((pid) => ({ pid, where: [{ field: "flags", op: "<", value: 0 }] }));
    expect(none).toMatchObject({ rows: 0, seen: 0 });
    expect(await held.leftovers()).toEqual([]);
  });

  it("filters by comm, tid and uid without a pid, and samples 1 in N exactly on one CPU", async () => {
    const comm = await opens(() => ({ comm: "open-flags", where: [{ field: "flags", op: "==", value: 0 }] }));
    expect(comm.rows).toBe(OPENS / 2);
    expect(comm.files).toEqual(new Set([path]));
    expect([...comm.pids]).toEqual([comm.pid]);
    const tid = await opens((pid) => ({ tid: pid, uid: process.getuid!() }));
    expect(tid).toMatchObject({ rows: OPENS, seen: OPENS });
    const otherUid = await opens((pid) => ({ pid, uid: 12345 }));
    expect(otherUid.rows).toBe(0);
    // per CPU, events 0, 3, 6, ... of those that passed: ceil(1000 / 3)
    const sampled = await opens((pid) => ({ pid, sample: 3 }), true);
    expect(sampled).toMatchObject({ rows: 334, seen: 334, dropped: 0 });
    expect(await held.leftovers()).toEqual([]);
  });
});

describe("uprobe_events with the shared in-kernel filter", () => {
  const lldiv = (filter: Filter): FunctionEventsDeclaration => ({
    kind: "events", source: { type: "uprobe", binary: LIBC, symbol: "lldiv" },
    values: [{ name: "numer", arg: 0, type: "long" }], filter, durationMs: 800,
  });

  it("keeps the calls of one command, sampled 1 in 4 on one CPU", async () => {
    const wl = await startHeld("/usr/bin/taskset", ["-c", "0", libcCalls.bin, "500"]);
    try {
      const r = await runRing(plan(lldiv({ comm: "libc-calls", sample: 4 })), { onAttached: async () => void (await wl.go()) });
      expect(r.rowCount).toBe(125);
      expect(r.stats.seen).toBe(125);
      // calls i = 1, 5, 9, ...: lldiv(1000 * i + 7, 3)
      expect([...(r.columns.numer as Float64Array)].slice(0, 3)).toEqual([1007, 5007, 9007]);
      expect(new Set(r.columns.pid as Uint32Array)).toEqual(new Set([wl.pid]));
    } finally {
      wl.dispose();
    }
    expect(await held.leftovers()).toEqual([]);
  });

  it("compares an argument's register in the kernel: numer < 50,000 keeps exactly calls 1..49", async () => {
    const wl = await startHeld(libcCalls.bin, ["500"]);
    try {
      const r = await runRing(plan(lldiv({ pid: wl.pid, where: [{ field: "numer", op: "<", value: 50_000 }] })),
        { onAttached: async () => void (await wl.go()) });
      expect(r.rowCount).toBe(49);
      expect(r.stats.seen).toBe(49);
      expect([...(r.columns.numer as Float64Array)]).toEqual(Array.from({ length: 49 }, (_, i) => 1000 * (i + 1) + 7));
    } finally {
      wl.dispose();
    }
    expect(await held.leftovers()).toEqual([]);
  });

  it("says what where can compare on a function probe", async () => {
    await expect(async () => runRing(plan(lldiv({ where: [{ field: "denom", op: ">", value: 5 }] })))).rejects.toThrow(
      `filter.where[0]: uprobe ${LIBC}:lldiv has no value "denom"; where compares integer values declared with .arg()/.returns() (numer)`);
    const strverscmp: FunctionEventsDeclaration = {
      kind: "events", source: { type: "uprobe", binary: LIBC, symbol: "strverscmp" },
      values: [{ name: "a", arg: 0, type: "string" }], filter: { where: [{ field: "a", op: "==", value: 1 }] }, durationMs: 100,
    };
    await expect(async () => runRing(plan(strverscmp))).rejects.toThrow(`filter.where[0]: "a" is a string; where compares integers`);
  });
});
