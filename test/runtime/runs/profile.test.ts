// The CPU profile on a workload this test starts: a child spinning in a
// uniquely named function (built -O0 -fno-omit-frame-pointer) must top the
// symbolised profile, with its user stack walking main -> probebook_spin_here.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { plan } from "../../../runtime/planner/plan.js";
import type { ProfileInstance } from "../../../runtime/templates/profile/plan.js";
import { runProfile } from "../../../runtime/templates/profile/run.js";
import { buildC } from "../../bpf/support/build-c.js";
import { startHeld } from "../../bpf/support/workload.js";
import { killSpawned, spawnTracked } from "../../support/children.js";
import { expectReleasedAfterAll } from "../../support/held-bpf.js";

const busy = buildC("busy-loop", ["-O0", "-fno-omit-frame-pointer"]);
const CLK_TCK = 100; // USER_HZ: the unit of /proc/PID/stat times on Linux

/** utime + stime of a process, in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from 3 (state) on
  return Number(f[11]) + Number(f[12]); // fields 14 and 15
}

expectReleasedAfterAll(); // what this file loads must all be closed and freed, by id
afterEach(killSpawned);
afterAll(() => busy.cleanup());

describe("CPU profile", () => {
  it("puts the busy child's spinning function on top, symbolised", async () => {
    const HZ = 99, SPIN_MS = 600;
    const instance = plan({ kind: "profile", frequencyHz: HZ, filter: {}, durationMs: 1000 }) as ProfileInstance;
    expect(instance.rodata.cfg).toMatchObject({ target_tgid: 0, kernel_stacks: 1, user_stacks: 1 });
    const w = await startHeld(busy.bin, [String(SPIN_MS)]); // spins when told; stays alive until stdin closes
    try {
      let before = 0;
      const result = await runProfile(instance, {
        onAttached: () => {
          before = cpuTicks(w.pid);
          w.child.stdin!.write("g"); // spins SPIN_MS, all of it inside the 1 s window
        },
      });
      const ranByTicks = cpuTicks(w.pid) - before; // the CPU time of the spin
      // Other test runs may share these 2 CPUs, so the child need not get a whole CPU: the samples
      // must match the CPU time the kernel accounted to it, and rank it among the busiest processes.
      const byPid = new Map<number, number>();
      for (const r of result.rows) byPid.set(r.pid, (byPid.get(r.pid) ?? 0) + r.samples);
      const ranking = [...byPid.entries()].sort((a, b) => b[1] - a[1]).map(([pid]) => pid);
      expect(ranking.slice(0, 5)).toContain(w.pid);
      const ofChild = byPid.get(w.pid)!;
      const expected = (ranByTicks / CLK_TCK) * HZ;
      expect(Math.abs(ofChild - expected)).toBeLessThanOrEqual(expected * 0.15 + 3);
      expect(ofChild).toBeLessThanOrEqual((HZ * SPIN_MS) / 1000 * 1.1 + 5); // one thread: at most one sample per tick
      const top = result.rows.find((r) => r.pid === w.pid)!;
      expect(top.comm).toBe("busy-loop");
      const user = top.userFrames.map((f) => f.symbol);
      // innermost first: the spin function (or now_ms/clock_gettime it calls), then main
      expect(user).toContain("probebook_spin_here");
      expect(user.indexOf("main")).toBeGreaterThan(user.indexOf("probebook_spin_here"));
      expect(top.userFrames.find((f) => f.symbol === "probebook_spin_here")!.object).toBe(busy.bin);
      expect(result.columns.stack[result.rows.indexOf(top)]).toMatch(/^busy-loop;.*main;probebook_spin_here/);
      expect(result.stats.dropped).toBe(0);
      expect(result.stats.samples).toBe(result.stats.seen);
    } finally {
      w.child.stdin!.end();
      w.dispose();
    }
  });

  it("filtered to the child's pid, has only its samples, the spin function on top", async () => {
    const w = await startHeld(busy.bin, ["1200"]);
    w.child.stdin!.write("g");
    try {
      // a declaration, planned by runProfile itself
      const result = await runProfile({ kind: "profile", frequencyHz: 99, filter: { pid: w.pid }, durationMs: 800 });
      expect(result.plan.rodata.cfg.target_tgid).toBe(w.pid);
      expect(result.stats.events).toBe(result.stats.samples);
      expect(new Set(result.columns.pid)).toEqual(new Set([w.pid]));
      expect(result.rows[0]!.userFrames.map((f) => f.symbol)).toContain("probebook_spin_here");
      expect(result.columns.user_stack[0]).toMatch(/main;probebook_spin_here/);
    } finally {
      w.child.stdin!.end();
      w.dispose();
    }
  });

  it("symbolises kernel stacks from /proc/kallsyms", async () => {
    // dd copying one byte at a time spends its time in read(2)/write(2): samples in the kernel
    // (a user-space spin would leave kernel frames to whatever else happens to run)
    const dd = spawnTracked("dd", ["if=/dev/zero", "of=/dev/null", "bs=1", "count=1000000000"], { stdio: "ignore" });
    const instance = plan({ kind: "profile", frequencyHz: 199, filter: { pid: dd.pid! }, durationMs: 600 }) as ProfileInstance;
    try {
      const result = await runProfile(instance);
      const kernelFrames = result.rows.flatMap((r) => r.kernelFrames);
      expect(kernelFrames.length).toBeGreaterThan(0);
      expect(kernelFrames.every((f) => f.object === "[kernel]" || f.object.startsWith("["))).toBe(true);
      expect(kernelFrames.filter((f) => f.symbol !== "[unknown]").length).toBe(kernelFrames.length);
      // dd's own stacks pass through the syscall entry
      expect(kernelFrames.some((f) => /^(entry_SYSCALL_64|do_syscall_64|x64_sys_call|ksys_(read|write)|vfs_(read|write))/.test(f.symbol))).toBe(true);
    } finally {
      dd.kill("SIGKILL");
    }
  });
});
