// "cstring_dict" columns: the same bytes as "cstring", dictionary-encoded per
// batch in C (one JS string per distinct value), and numeric columns handed
// over as the reader thread's own buffers. Read side by side from real records.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ColumnBatch, DictionaryColumn } from "../../native/surface.js";
import { recordHeld } from "../support/held-bpf.js";
import { openatPlan, openConfigured } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "probebook-dict-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const held = recordHeld();

describe("cstring_dict columns", () => {
  it("decode to the same strings as cstring, each distinct value once per batch", async () => {
    const p = openatPlan();
    const fname = p.columns.find((c) => c.name === "filename")!;
    const comm = p.columns.find((c) => c.name === "comm")!;
    const paths = [join(dir, "a"), join(dir, "bb"), join(dir, "ccc")];
    for (const f of paths) writeFileSync(f, "x");
    const obj = openConfigured(p);
    const batches: ColumnBatch[] = [];
    const reader = obj.openRingReader("pb_events", [
      { name: "text", offset: fname.offset, kind: "cstring", length: fname.length! },
      { name: "dict", offset: fname.offset, kind: "cstring_dict", length: fname.length! },
      { name: "comm", offset: comm.offset, kind: "cstring_dict", length: comm.length! },
      { name: "pid", offset: p.columns.find((c) => c.name === "pid")!.offset, kind: "u32" },
    ], { recordSize: p.ring.recordSize, pollMs: 5, batchRows: 4096 }, (b) => void batches.push(b));
    obj.attachTracepoint(p.program, "syscalls", "sys_enter_openat");
    for (let i = 0; i < 30; i++) closeSync(openSync(paths[i % 3]!, "r"));
    await reader.stop();
    held.close(obj);

    let ours = 0;
    for (const b of batches) {
      const text = b.columns.text as string[];
      const dict = b.columns.dict as DictionaryColumn;
      const comms = b.columns.comm as DictionaryColumn;
      expect(dict.codes).toBeInstanceOf(Uint32Array);
      expect(dict.codes.length).toBe(b.rows);
      expect(Array.from(dict.codes, (c) => dict.dictionary[c])).toEqual(text);
      expect(new Set(dict.dictionary).size).toBe(dict.dictionary.length); // each value once
      expect(Math.max(...comms.codes)).toBeLessThan(comms.dictionary.length);
      expect((b.columns.pid as Uint32Array).every((x) => x === process.pid)).toBe(true);
      ours += text.filter((t) => paths.includes(t)).length;
    }
    expect(ours).toBe(30);
    expect(await held.leftovers()).toEqual([]);
  });
});
