// A traced library unmapped, and a traced binary replaced, mid-run, with real
// workloads and real uprobes (runtime/runs/target-watch.ts says what can be
// observed and why these are the rules):
// - a process dlopen()s a library, calls its function 300 times, dlclose()s it
//   and lives on: a 30 s run filtered to it ends soon after the dlclose with
//   exactly the 300 rows, stoppedBy "target-unmapped", and the cell is told the
//   file and why (an aggregation of the same ends the same way);
// - a binary renamed over while a uprobe on every process is attached: the run
//   ends with exactly the calls made before, stoppedBy "target-replaced", and
//   the file named; the process, still running the old file, goes on calling
//   unseen;
// - the same replacement under a run filtered to that process: the uprobe stays
//   on the old inode, which the process still runs, so the calls after the
//   replacement are counted too, and the run ends when the process exits.
import { copyFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runDeclaration } from "../../runtime/runs/run.js";
import { createExecutor } from "../../runtime/session.js";
import type { AnyDeclaration } from "../../runtime/spec/protocol.js";
import { buildC, type BuiltC } from "../bpf/support/build-c.js";
import { startHeld, type HeldWorkload } from "../bpf/support/workload.js";
import { recordingContext, streamText } from "../runtime/fixtures/recording-context.js";
import { killSpawned } from "../support/children.js";
import { recordHeld } from "../support/held-bpf.js";

let lib: BuiltC, host: BuiltC, ticker: BuiltC;
beforeAll(() => {
  lib = buildC("plugin-lib", ["-O2", "-shared", "-fPIC"]);
  host = buildC("dlopen-plugin");
  ticker = buildC("tick-twice");
});
afterAll(() => {
  for (const b of [lib, host, ticker]) b?.cleanup();
});
afterEach(killSpawned);
const held = recordHeld();

/** Resolves once the workload printed `line`. */
const printed = (wl: HeldWorkload, line: string) => new Promise<void>((resolve) => {
  let out = "";
  wl.child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.includes(`${line}\n`)) resolve();
  });
});

const pluginTicks = (pid: number, extra: Partial<AnyDeclaration> = {}): AnyDeclaration =>
  ({ kind: "events", source: { type: "uprobe", binary: lib.bin, symbol: "probebook_plugin_tick" }, values: [{ name: "i", arg: 0, type: "int" }],
    filter: { pid }, durationMs: 30_000, ...extra }) as AnyDeclaration;

describe("a traced library unmapped mid-run (dlclose)", () => {
  it("ends the run filtered to the process soon after the dlclose, with exactly the 300 calls, stoppedBy target-unmapped", async () => {
    const wl = await startHeld(host.bin, [lib.bin, "300", "30"]);
    try {
      const closed = printed(wl, "closed 300");
      let closedAt = 0;
      void closed.then(() => (closedAt = Date.now()));
      const r = await runDeclaration(pluginTicks(wl.pid), { onAttached: () => void wl.go() });
      const endedAt = Date.now();
      expect(r.stats.stoppedBy).toBe("target-unmapped");
      expect(r.stats.targetFile).toBe(lib.bin);
      expect(r.rowCount).toBe(300);
      expect(r.stats.dropped).toBe(0);
      expect([...(r.columns.i as Int32Array)]).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(new Set(r.columns.pid as Uint32Array)).toEqual(new Set([wl.pid]));
      expect(closedAt).toBeGreaterThan(0);
      expect(endedAt - closedAt).toBeLessThan(3000);
      expect(wl.child.exitCode).toBe(null); // the process lives on: it is the library that went
    } finally {
      wl.dispose();
    }
    expect(await held.leftovers()).toEqual([]);
  }, 60_000);

  it("ends an aggregation the same way: a count by pid of exactly 300", async () => {
    const wl = await startHeld(host.bin, [lib.bin, "300", "30"]);
    try {
      const decl = { kind: "aggregate", source: { type: "uprobe", binary: lib.bin, symbol: "probebook_plugin_tick" }, value: { op: "count" }, keys: ["pid"],
        filter: { pid: wl.pid }, durationMs: 30_000 } as AnyDeclaration;
      const started = Date.now();
      const r = await runDeclaration(decl, { onAttached: () => void wl.go() });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(r.stats.stoppedBy).toBe("target-unmapped");
      expect([...(r.columns.pid as Uint32Array)]).toEqual([wl.pid]);
      expect([...(r.columns.count as Float64Array)]).toEqual([300]);
    } finally {
      wl.dispose();
    }
    expect(await held.leftovers()).toEqual([]);
  }, 60_000);

  it("tells the cell which file went and why, beside its 300 rows", async () => {
    let wl: HeldWorkload | undefined = await startHeld(host.bin, [lib.bin, "300", "30"]);
    const session = createExecutor({
      warmUpAfterMs: false,
      probeRunner: { run: (d, o) => runDeclaration(d, { ...o, onAttached: () => void wl?.go() }) },
    });
    try {
      const ctx = recordingContext(1);
      const r = await session.execute(
        `const t = await uprobe(${JSON.stringify(lib.bin)}, "probebook_plugin_tick").where({ pid: ${wl.pid} }).events({ for: "30s" }); [t.numRows(), t.meta.stoppedBy]`, ctx);
      expect(r).toMatchObject({ status: "ok", result: { data: { "text/plain": "[ 300, 'target-unmapped' ]" } } });
      expect(streamText(ctx, "stderr")).toBe(
        `uprobe probebook_plugin_tick: the run ended early with 300 rows: the traced process no longer maps ${lib.bin} ` +
          "(it unloaded the library with dlclose(), or exec'd another program), so the probe can't fire in it any more.\n");
    } finally {
      await session.shutdown();
      wl.dispose();
      wl = undefined;
    }
  }, 60_000);
});

describe("a traced binary replaced mid-run (renamed over)", () => {
  /** A copy of tick-twice of the test's own, so it can be replaced. */
  function target(name: string): string {
    const path = join(ticker.dir, name);
    copyFileSync(ticker.bin, path);
    return path;
  }
  const replace = (path: string) => {
    copyFileSync(ticker.bin, `${path}.new`); // another inode, same contents: what an upgrade does
    renameSync(`${path}.new`, path);
  };
  const ticks = (binary: string, filter: Record<string, number> = {}): AnyDeclaration =>
    ({ kind: "events", source: { type: "uprobe", binary, symbol: "probebook_tick" }, values: [{ name: "i", arg: 0, type: "int" }], filter, durationMs: 30_000 }) as AnyDeclaration;

  it("ends a run on every process at the replacement with exactly the 200 calls made before it, stoppedBy target-replaced", async () => {
    const path = target("replaced-all");
    const wl = await startHeld(path, ["200", "3000"]); // 3 s between the halves: the run has ended by the second
    try {
      void printed(wl, "half").then(() => replace(path));
      const started = Date.now();
      const r = await runDeclaration(ticks(path), { onAttached: () => void wl.go() });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(r.stats.stoppedBy).toBe("target-replaced");
      expect(r.stats.targetFile).toBe(path);
      expect(r.rowCount).toBe(200);
      expect(new Set(r.columns.pid as Uint32Array)).toEqual(new Set([wl.pid]));
      expect([...(r.columns.i as Int32Array)]).toEqual(Array.from({ length: 200 }, (_, i) => i));
    } finally {
      wl.dispose();
    }
    expect(await held.leftovers()).toEqual([]);
  }, 60_000);

  it("keeps a run filtered to the process going: the uprobe stays on the old file it runs, so all 400 calls count, and the exit ends it", async () => {
    const path = target("replaced-own");
    const wl = await startHeld(path, ["200", "1000"]);
    try {
      let replacedAt = 0;
      void printed(wl, "half").then(() => {
        replace(path);
        replacedAt = Date.now();
      });
      const r = await runDeclaration(ticks(path, { pid: wl.pid }), { onAttached: () => void wl.go() });
      expect(replacedAt).toBeGreaterThan(0);
      expect(r.stats.stoppedBy).toBe("target-exited");
      expect(r.rowCount).toBe(400);
      expect([...(r.columns.i as Int32Array)]).toEqual([...Array.from({ length: 200 }, (_, i) => i), ...Array.from({ length: 200 }, (_, i) => i)]);
    } finally {
      wl.dispose();
    }
    expect(await held.leftovers()).toEqual([]);
  }, 60_000);
});
