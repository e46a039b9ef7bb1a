// A traced process that exits mid-run: a workload opens a file 200 times and
// exits while a 30 s stream filtered to it runs. The run ends within a moment
// of the exit (not after 30 s) with exactly the 200 rows it made, says why
// (meta.stoppedBy "target-exited"; a run long enough to show progress keeps
// that line: "collected N events in T s, then the traced process exited").
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runDeclaration } from "../../runtime/runs/run.js";
import { createExecutor } from "../../runtime/session.js";
import type { AnyDeclaration } from "../../runtime/spec/protocol.js";
import { buildC, type BuiltC } from "../bpf/support/build-c.js";
import { startHeld, type HeldWorkload } from "../bpf/support/workload.js";
import { recordingContext, streamText } from "../runtime/fixtures/recording-context.js";
import { killSpawned } from "../support/children.js";
import { recordHeld } from "../support/held-bpf.js";

let build: BuiltC;
beforeAll(() => {
  build = buildC("open-loop");
});
afterAll(() => build?.cleanup());
afterEach(killSpawned);
const held = recordHeld();

async function workload() {
  const path = `/tmp/probebook-${randomBytes(8).toString("hex")}`;
  writeFileSync(path, "x");
  return { path, wl: await startHeld(build.bin, [path, "200"]) };
}

describe("the traced process exits mid-run", () => {
  it("ends the run at the exit with every row it made, stoppedBy target-exited", async () => {
    const { path, wl } = await workload();
    try {
      const decl: AnyDeclaration = { kind: "events", source: { type: "tracepoint", name: "syscalls:sys_enter_openat" }, fields: ["filename"], filter: { pid: wl.pid }, durationMs: 30_000 };
      const started = Date.now();
      const r = await runDeclaration(decl, { onAttached: () => void wl.go() });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(r.stats.stoppedBy).toBe("target-exited");
      expect(r.rowCount).toBe(200);
      expect(r.stats.dropped).toBe(0);
      expect([...new Set(r.columns.filename as string[])]).toEqual([path]);
    } finally {
      wl.dispose();
      rmSync(path, { force: true });
    }
    expect(await held.leftovers()).toEqual([]);
  }, 60_000);

  it("gives the cell the rows and why its run ended early (meta.stoppedBy)", async () => {
    const { path, wl } = await workload();
    let current: HeldWorkload = wl;
    const session = createExecutor({
      warmUpAfterMs: false,
      probeRunner: { run: (d, o) => runDeclaration(d, { ...o, onAttached: () => void current.go() }) },
    });
    try {
      const ctx = recordingContext(1);
      const started = Date.now();
      const r = await session.execute(`const t = await tracepoint("syscalls:sys_enter_openat").where({ pid: ${wl.pid} }).fields("filename").events({ for: "30s" }); [t.numRows(), t.meta.stoppedBy]`, ctx);
      expect(r).toMatchObject({ status: "ok", result: { data: { "text/plain": "[ 200, 'target-exited' ]" } } });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(streamText(ctx, "stderr")).toBe("");
    } finally {
      current = wl;
      await session.shutdown();
      wl.dispose();
      rmSync(path, { force: true });
    }
  }, 60_000);
});
