// The native surface against the real kernel: Node-style errors that say what
// was being done, the object life cycle, and ring records decoded into columns.
import { randomBytes } from "node:crypto";
import { openSync, closeSync, rmSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { native } from "../../native/load.js";
import type { BpfObject, ColumnBatch, NativeError } from "../../native/surface.js";
import { recordHeld } from "../support/held-bpf.js";
import { thrown as thrownBy } from "../support/thrown.js";
import { openatPlan, openConfigured } from "./support.js";

const thrown = (fn: () => unknown) => thrownBy<NativeError>(fn);

const opened: BpfObject[] = [];
function track(o: BpfObject): BpfObject {
  opened.push(o);
  return o;
}
const held = recordHeld();
afterEach(async () => {
  held.sample(); // what this test's objects hold, before they are closed
  for (const o of opened.splice(0)) o.close();
  expect(await held.leftovers()).toEqual([]); // exactly those are closed and freed
});

describe("native errors", () => {
  it("say what was being done, with errno and code", () => {
    const e = thrown(() => native().openObject("/nonexistent/x.bpf.o"));
    expect(e.message).toBe("open BPF object /nonexistent/x.bpf.o: ENOENT (No such file or directory)");
    expect(e.errno).toBe(-2);
    expect(e.code).toBe("ENOENT");
    expect(e.operation).toBe("open BPF object /nonexistent/x.bpf.o");

    const obj = track(openConfigured(openatPlan()));
    const a = thrown(() => obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_nope"));
    expect(a.message).toBe("attach tracepoint syscalls:sys_enter_nope: ENOENT (No such file or directory)");
    expect(a.code).toBe("ENOENT");
    expect(a.errno).toBe(-2);
  });

  it("guard the life cycle: configure before load, attach after, nothing after close", () => {
    const p = openatPlan();
    const obj = track(openConfigured(p, false));
    expect(obj.state).toBe("opened");
    expect(thrown(() => obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_openat")).message).toBe(
      `cannot attach: ${p.object} is not loaded yet (call load() first)`);
    const size = obj.sectionSize(".rodata");
    expect(thrown(() => obj.setRodata(".rodata", size - 2, new Uint8Array(4))).message).toBe(
      `write 4 bytes at ${size - 2} into .rodata: the section has ${size} bytes`);
    expect(thrown(() => obj.setMapMaxEntries("nope", 1)).message).toBe(
      `${p.object} has no map named "nope" (it has: pb_events, pb_drops, pb_stacks, pb_sample_seq, tp_event.rodata, tp_event.bss)`);
    obj.load();
    expect(obj.state).toBe("loaded");
    const again = thrown(() => obj.setRodata(".rodata", 0, new Uint8Array(4)));
    expect(again.code).toBe("ERR_BPF_LOADED");
    expect(again.message).toBe(`cannot write rodata: ${p.object} is already loaded`);
    expect(thrown(() => obj.percpuSum("pb_events", 0)).message).toBe(
      `${p.object} has no per-CPU array of u64 named "pb_events"`);
    expect(thrown(() => obj.programInfo("nope")).message).toBe(`${p.object} has no program named "nope"`);
    obj.close();
    obj.close(); // idempotent
    expect(obj.state).toBe("closed");
    expect(thrown(() => obj.load()).code).toBe("ERR_BPF_CLOSED");
  });

  it("check ring reader layouts against the record", () => {
    const obj = track(openConfigured(openatPlan()));
    const open = (layout: unknown) => () => obj.openRingReader("pb_events", layout as never, { recordSize: 320 }, () => {});
    expect(thrown(open([{ name: "x", offset: 0, kind: "u128" }])).message).toBe(
      'layout[0] (x): unknown kind "u128" (u8 u16 u32 u64 s8 s16 s32 s64 u64_f64 s64_f64 cstring cstring_dict hex bytes)');
    // bytes: a count before them, and nothing of the layout after them (a record may end where they do)
    expect(thrown(open([{ name: "b", offset: 8, kind: "bytes", length: 64 }])).message).toBe(
      "layout[0] (b): kind bytes needs lengthAt, the offset of a u32 byte count before the bytes (offset 8)");
    expect(thrown(open([{ name: "b", offset: 8, kind: "bytes", length: 64, lengthAt: 0 }, { name: "n", offset: 100, kind: "u32" }])).message).toBe(
      "b: a bytes column must be the last column, after every other byte of the layout");
    expect(thrown(open([{ name: "x", offset: 316, kind: "u64" }])).message).toBe(
      "layout[0] (x): bytes 316..324 lie outside the 320-byte record");
    expect(thrown(open([{ name: "s", offset: 0, kind: "cstring" }])).message).toBe(
      "layout[0] (s): kind cstring needs a length");
    expect(thrown(() => obj.openRingReader("pb_drops", [{ name: "x", offset: 0, kind: "u8" }], { recordSize: 8 },
      () => {})).message).toBe(`${obj.path} has no ring buffer map named "pb_drops"`);
  });
});

describe("ring reader", () => {
  it("decodes every column kind from real records, in ring order", async () => {
    const p = openatPlan();
    const obj = track(openConfigured(p));
    const batches: ColumnBatch[] = [];
    const reader = obj.openRingReader("pb_events", [
      { name: "pid", offset: 20, kind: "u32" },
      { name: "cpu", offset: 16, kind: "u32" },
      { name: "pid_u8", offset: 20, kind: "u8" },
      { name: "pid_s8", offset: 20, kind: "s8" },
      { name: "pid_u16", offset: 20, kind: "u16" },
      { name: "pid_s16", offset: 20, kind: "s16" },
      { name: "pid_s32", offset: 20, kind: "s32" },
      { name: "cpu_pid_u64", offset: 16, kind: "u64" },
      { name: "cpu_pid_s64", offset: 16, kind: "s64" },
      { name: "cpu_pid_f64", offset: 16, kind: "u64_f64" },
      { name: "cpu_pid_sf64", offset: 16, kind: "s64_f64" },
      { name: "pid_hex", offset: 20, kind: "hex", length: 4 },
      { name: "comm", offset: 36, kind: "cstring", length: 16 },
      { name: "filename", offset: 56, kind: "cstring", length: 256 },
      { name: "flags", offset: 312, kind: "s32" },
    ], { recordSize: p.ring.recordSize, pollMs: 5, batchRows: 2 }, (b) => batches.push(b));
    const path = `/tmp/probebook-${randomBytes(6).toString("hex")}-é`;
    writeFileSync(path, ""); // an open too: before attaching
    const link = obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_openat");
    expect(link.attached).toBe(true);
    expect(link.target).toBe("tracepoint syscalls:sys_enter_openat");
    for (let i = 0; i < 5; i++) closeSync(openSync(path, "r"));
    link.destroy();
    expect(link.attached).toBe(false);
    const stats = await reader.stop();
    rmSync(path);

    expect(batches.every((b) => b.rows <= 2)).toBe(true);
    const col = <T>(name: string) => batches.flatMap((b) => Array.from(b.columns[name] as ArrayLike<T>));
    const rows = col<string>("filename").map((f, i) => (f === path ? i : -1)).filter((i) => i >= 0);
    expect(rows.length).toBe(5); // our opens; the worker may open other files meanwhile
    expect(stats.records).toBe(col<number>("pid").length);
    expect(stats.malformed).toBe(0);
    const pid = process.pid;
    for (const i of rows) {
      const cpu = col<number>("cpu")[i]!;
      const both = (BigInt(pid) << 32n) | BigInt(cpu);
      expect(col<number>("pid")[i]).toBe(pid);
      expect(col<number>("pid_u8")[i]).toBe(pid & 0xff);
      expect(col<number>("pid_s8")[i]).toBe((pid << 24) >> 24);
      expect(col<number>("pid_u16")[i]).toBe(pid & 0xffff);
      expect(col<number>("pid_s16")[i]).toBe((pid << 16) >> 16);
      expect(col<number>("pid_s32")[i]).toBe(pid);
      expect(col<bigint>("cpu_pid_u64")[i]).toBe(both);
      expect(col<bigint>("cpu_pid_s64")[i]).toBe(both);
      expect(col<number>("cpu_pid_f64")[i]).toBe(Number(both));
      expect(col<number>("cpu_pid_sf64")[i]).toBe(Number(both));
      expect(col<string>("pid_hex")[i]).toBe(Buffer.from(new Uint32Array([pid]).buffer).toString("hex"));
      expect(col<number>("flags")[i]).toBe(0x80000); // O_RDONLY | O_CLOEXEC from libuv
    }
    expect(batches[0]!.columns.cpu_pid_u64).toBeInstanceOf(BigUint64Array);
    expect(batches[0]!.columns.cpu_pid_f64).toBeInstanceOf(Float64Array);
    expect(batches[0]!.columns.pid_s8).toBeInstanceOf(Int8Array);
    expect(obj.percpuSum("pb_drops", 0)).toBe(0);
  });

  it("reports an exception thrown by onBatch from stop(), and stop() twice is one promise", async () => {
    const p = openatPlan();
    const obj = track(openConfigured(p));
    let calls = 0;
    const reader = obj.openRingReader("pb_events", [{ name: "pid", offset: 20, kind: "u32" }],
      { recordSize: p.ring.recordSize, pollMs: 5 }, () => {
        calls++;
        throw new Error("consumer bug");
      });
    const link = obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_openat");
    closeSync(openSync("/proc/self/stat", "r"));
    link.destroy();
    const first = reader.stop();
    expect(reader.stop()).toBe(first);
    await expect(first).rejects.toThrow("consumer bug");
    expect(calls).toBe(1); // later batches are not delivered after a failure
    expect(reader.running).toBe(false);
  });

  it("is stopped, drained and detached by close(), which program info outlives", () => {
    const p = openatPlan();
    const obj = track(openConfigured(p));
    const stats = native().enableRunStats();
    try {
      const reader = obj.openRingReader("pb_events", [{ name: "pid", offset: 20, kind: "u32" }],
        { recordSize: p.ring.recordSize }, () => {});
      const link = obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_openat");
      for (let i = 0; i < 3; i++) closeSync(openSync("/proc/self/stat", "r"));
      const info = obj.programInfo("pb_tp_events");
      expect(info.runCount).toBeGreaterThanOrEqual(3);
      expect(info.runTimeNs).toBeGreaterThan(0);
      expect(reader.running).toBe(true);
      obj.close();
      expect(reader.running).toBe(false);
      expect(link.attached).toBe(false);
      link.destroy(); // harmless after close
    } finally {
      stats.close();
    }
  });
});

describe("feature probes", () => {
  it("answer from the running kernel", () => {
    expect(native().probeProgramType("tracepoint")).toBe(true);
    expect(native().probeMapType("ringbuf")).toBe(true);
    expect(thrown(() => native().probeMapType("nope")).message).toBe(
      'unknown map type "nope" (use libbpf\'s names, e.g. "ringbuf")');
    expect(native().numPossibleCpus()).toBeGreaterThan(0);
  });
});
