// The run switch (native/src/run_switch.c): storeU32 flips tp_events' pb_stopped
// through the .bss mapping while the program stays attached, and quiesceAsync()
// resolves once no program that passed the switch is still running. After both,
// this process's opens make no record and no drop, and every open made before
// is in the ring: exactly what a run needs to count and drain without waiting
// on the detach.
import { randomBytes } from "node:crypto";
import { closeSync, openSync, rmSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { native } from "../../native/load.js";
import type { BpfObject, ColumnBatch, NativeError } from "../../native/surface.js";
import { TP_EVENTS } from "../../runtime/templates/tp_events/layout.js";
import { recordHeld } from "../support/held-bpf.js";
import { thrown } from "../support/thrown.js";
import { openatPlan, openConfigured } from "./support.js";

const opened: BpfObject[] = [];
const held = recordHeld();
afterEach(async () => {
  held.sample();
  for (const o of opened.splice(0)) o.close();
  expect(await held.leftovers()).toEqual([]);
});

describe("the run switch", () => {
  it("stops the attached program at once: opens before it are rows, opens after it are nothing", async () => {
    const p = openatPlan();
    const obj = openConfigured(p);
    opened.push(obj);
    const batches: ColumnBatch[] = [];
    const reader = obj.openRingReader(p.ring.map, [{ name: "filename", offset: p.columns.find((c) => c.name === "filename")!.offset, kind: "cstring", length: 256 }],
      { recordSize: p.ring.recordSize, pollMs: 5 }, (b) => batches.push(b));
    const path = `/tmp/probebook-switch-${randomBytes(6).toString("hex")}`;
    writeFileSync(path, "");
    try {
      const link = obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_openat");
      for (let i = 0; i < 300; i++) closeSync(openSync(path, "r"));
      obj.storeU32(TP_EVENTS.runSwitch.section, TP_EVENTS.runSwitch.offset, 1);
      const q = await native().quiesceAsync();
      expect(["cpus", "rcu"]).toContain(q.method);
      for (let i = 0; i < 200; i++) closeSync(openSync(path, "r")); // still attached, switched off
      expect(link.attached).toBe(true);
      await reader.stop();
      const ours = batches.flatMap((b) => b.columns.filename as string[]).filter((f) => f === path).length;
      expect(ours).toBe(300);
      expect(obj.percpuSum("pb_drops", 0)).toBe(0);
    } finally {
      rmSync(path, { force: true });
    }
  });

  it("releaseColumns frees a batch's buffers now: its typed arrays and dictionary codes read as empty", async () => {
    const p = openatPlan();
    const obj = openConfigured(p);
    opened.push(obj);
    const batches: ColumnBatch[] = [];
    const at = (name: string) => p.columns.find((c) => c.name === name)!.offset;
    const reader = obj.openRingReader(p.ring.map, [
      { name: "pid", offset: at("pid"), kind: "u32" },
      { name: "comm", offset: at("comm"), kind: "cstring_dict", length: 16 },
    ], { recordSize: p.ring.recordSize, pollMs: 5 }, (b) => batches.push(b));
    const path = `/tmp/probebook-release-${randomBytes(6).toString("hex")}`;
    writeFileSync(path, "");
    try {
      obj.attachTracepoint("pb_tp_events", "syscalls", "sys_enter_openat");
      for (let i = 0; i < 20; i++) closeSync(openSync(path, "r"));
      await reader.stop();
    } finally {
      rmSync(path, { force: true });
    }
    const b = batches[0]!;
    expect(b.rows).toBeGreaterThan(0);
    expect(native().releaseColumns(b.columns)).toBe(2); // pid's buffer and comm's codes
    expect((b.columns.pid as Uint32Array).length).toBe(0);
    expect((b.columns.comm as { codes: Uint32Array }).codes.length).toBe(0);
    expect(native().releaseColumns(b.columns)).toBe(0); // already released
  });

  it("refuses what is not a u32 of a data section, and an object not loaded", () => {
    const p = openatPlan();
    const early = openConfigured(p, false);
    opened.push(early);
    expect(thrown<NativeError>(() => early.storeU32(".bss", 0, 1)).code).toBe("ERR_BPF_NOT_LOADED");
    early.load();
    expect(thrown<NativeError>(() => early.storeU32(".bss", 2, 1)).message).toBe(
      "store a u32 at 2 of .bss: the section has 4 bytes (4-byte aligned offsets)");
    expect(thrown<NativeError>(() => early.storeU32(".data", 0, 1)).message).toBe(`${p.object} has no data section .data`);
  });
});
