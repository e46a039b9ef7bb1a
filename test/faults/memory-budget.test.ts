// The real kernel (bin/probebook.js kernel) against cells and probe sets that
// try to take more memory than its budget (runtime/host/memory-budget.ts),
// lowered through its environment so the test stays small on a shared machine:
// a budget of 320 MB of which the sandbox's heap limit takes 256 MB, so about
// 64 MB are left for BPF maps and rows.
// - A stream of a getppid() workload (about 1 M events/s, no .limit(), a row cap
//   far away) stops at the budget, long before its 30 s, with its rows, says so
//   on stderr (the budget, where the memory is, how to raise it); heartbeat and
//   control are answered meanwhile, the kernel's RSS grows by less than its
//   budget plus the two copies handing the rows over makes, and the next cell runs.
// - Background aggregations of 2^16 keys each (about 19 MB of maps each) are
//   started until one is refused: the refusal names the budget and how to raise
//   it, the maps the kernel process holds (read from its fdinfo here) stay
//   within the budget, and once the runs are stopped a probe starts again.
// - A cell filling the sandbox gets a MemoryError, and the kernel answers.
// A second kernel, with a 64 MB sandbox and room in its budget, shows the other
// stop: a stream whose rows reach half the sandbox's heap limit stops there, and
// its table reaches the cell.
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bpfMapBytes } from "../../runtime/host/bpf-memory.js";
import { buildC, type BuiltC } from "../bpf/support/build-c.js";
import { startHeld } from "../bpf/support/workload.js";
import { fileKernel, type FileKernel } from "../kernel/support/file-kernel.js";
import { killSpawned } from "../support/children.js";

const MB = 1024 * 1024;
let build: BuiltC;
beforeAll(() => {
  build = buildC("getppid-loop");
});
afterAll(() => build?.cleanup());
const figures: Record<string, unknown> = {};
afterAll(() => console.log(`memory budget figures ${JSON.stringify(figures)}`));
afterEach(killSpawned);

const rssBytes = (pid: number) => Number(/VmRSS:\s*(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

/** Every 100 ms while `during` runs: the kernel's RSS, and a heartbeat and a kernel_info_request on control, each answered within 5 s (or the sampler throws). */
async function sampled<T>(k: FileKernel, during: Promise<T>): Promise<{ value: T; rssMax: number; answered: number }> {
  let running = true, rssMax = 0, answered = 0;
  const loop = (async () => {
    while (running) {
      rssMax = Math.max(rssMax, rssBytes(k.kernel.child.pid!));
      await k.client.ping(5000);
      const id = await k.client.send("control", "kernel_info_request");
      await k.client.reply("control", id, 5000);
      answered++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    return { value: await during, rssMax, answered };
  } finally {
    running = false;
    await loop;
  }
}

/** A getppid() loop of `seconds`, held until a probe of the cell is attached. */
async function streamOnWorkload(k: FileKernel, seconds: number, code: (pid: number) => string) {
  const wl = await startHeld(build.bin, [String(seconds)]);
  try {
    const cell = k.execute(code(wl.pid), { timeoutMs: 120_000 });
    const deadline = Date.now() + 30_000;
    while (bpfMapBytes(k.kernel.child.pid!) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    void wl.go();
    return await cell;
  } finally {
    wl.dispose();
  }
}

describe("a kernel with a 320 MB budget, 256 MB of it the sandbox's", () => {
  const k = fileKernel({ built: true, env: { ...process.env, PROBEBOOK_MAX_MEMORY_MB: "320", PROBEBOOK_SANDBOX_MEMORY_MB: "256", PROBEBOOK_MAX_ROWS: "100000000" } });

  it("stops a stream at the budget with its rows and says so; heartbeat and control answered meanwhile; RSS grows by less than the budget and the hand-over's copies", async () => {
    await k.execute("1 + 1"); // the runtime loaded before the baseline
    const baseline = rssBytes(k.kernel.child.pid!);
    const started = Date.now();
    const { value: r, rssMax, answered } = await sampled(k, streamOnWorkload(k, 25, (pid) =>
      `const t = await tracepoint("syscalls:sys_enter_getppid").where({ pid: ${pid} }).events({ for: "30s" }); [t.numRows() > 100000, t.meta.stoppedBy]`));
    expect(r.content.status, JSON.stringify(r.content)).toBe("ok");
    expect(r.text).toBe("[ true, 'memory' ]");
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(r.stderr).toMatch(
      /^syscalls:sys_enter_getppid: stopped at \d+ rows: this kernel's memory budget of 320 MB is used up \(the sandbox's heap limit 256 MB, BPF maps [\d.]+ MB, rows being collected \d+ MB\)\. To keep more, set PROBEBOOK_MAX_MEMORY_MB in the kernel's environment, or stop background runs \(runs\(\) lists them\); to see everything, aggregate in the kernel instead \(\.count\(\)\.by\("comm"\), \.histogram\(\)\), or filter with \.where\(\)\.\n$/);
    const rowsMb = Number(/rows being collected (\d+) MB/.exec(r.stderr)![1]);
    figures.budgetStop = { rows: Number(/stopped at (\d+) rows/.exec(r.stderr)![1]), rowsMb, rssGrowthMb: Math.round((rssMax - baseline) / MB), controlAnswered: answered, ms: Date.now() - started };
    expect(answered).toBeGreaterThan(0);
    // The budget counts rows once, as collected; handing them over copies them twice more for a
    // moment (assembled columns, then the sandbox's copy, whose share the sandbox's limit holds).
    expect(rssMax - baseline).toBeLessThan((320 + 2 * rowsMb) * MB);
    expect((await k.execute("6 * 7")).text).toBe("42");
  }, 120_000);

  it("refuses the background aggregation that would go past the budget, naming it; the maps held stay within it; stopping makes room", async () => {
    const r = await k.execute(`
      const names = [];
      let refused;
      for (let i = 0; i < 10 && !refused; i++) {
        try {
          await tracepoint("sched:sched_switch").count().by("pid").maxKeys(65536).start({ name: "big" + i }).started;
          names.push("big" + i);
        } catch (e) { refused = [e.name, e.code, e.message]; }
      }
      console.log(JSON.stringify({ started: names.length, refused }))`, { timeoutMs: 60_000 });
    expect(r.content.status, JSON.stringify(r.content)).toBe("ok");
    const stdout = r.iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === "stdout").map((m) => m.content.text as string).join("");
    const { started, refused } = JSON.parse(stdout);
    expect(started).toBeGreaterThanOrEqual(1);
    expect(started).toBeLessThan(10);
    expect(refused[0]).toBe("MemoryBudgetError");
    expect(refused[1]).toBe("MEMORY_BUDGET");
    expect(refused[2]).toMatch(/^the probe count of sched:sched_switch by pid needs about 18 MB of kernel memory for its maps, but only [\d.]+ MB is left of this kernel's memory budget of 320 MB \(the sandbox's heap limit 256 MB, BPF maps \d+ MB, rows being collected 0\.0 MB\)\. Stop a background run \(runs\(\) lists them\), ask for less \(fewer keys with \.maxKeys\(n\)\), or set PROBEBOOK_MAX_MEMORY_MB in the kernel's environment to raise the budget$/);
    const held = bpfMapBytes(k.kernel.child.pid!);
    figures.probeSet = { started, refusedAfter: started, bpfMapsMb: +(held / MB).toFixed(1) };
    expect(held).toBeGreaterThan(started * 18 * MB);
    expect(held).toBeLessThanOrEqual((320 - 256) * MB);
    // The runs are counting, the kernel answers; stopping them makes room for another.
    const stop = await k.execute(`let n = 0; for (const run of await runs()) n += (await run.stop()).numRows() > 0 ? 1 : 0; n`, { timeoutMs: 60_000 });
    expect(stop.text).toBe(String(started));
    const again = await k.execute(`(await tracepoint("sched:sched_switch").count().by("pid").maxKeys(65536).run({ for: "200ms" })).numRows() > 0`, { timeoutMs: 60_000 });
    expect(again.text).toBe("true");
  }, 120_000);

  it("ends a cell that fills the sandbox with a MemoryError, and the kernel answers", async () => {
    const bomb = await k.execute("const bufs: Uint8Array[] = []; while (true) bufs.push(new Uint8Array(8 * 1024 * 1024).fill(1))", { timeoutMs: 60_000 });
    expect(bomb.content).toMatchObject({ status: "error", ename: "MemoryError" });
    expect(bomb.content.evalue).toMatch(/^the cell exceeded the sandbox memory limit of 256 MB/);
    expect((await k.execute("2 ** 10")).text).toBe("1024");
  }, 60_000);
});

describe("a kernel with a 64 MB sandbox and room in its budget", () => {
  const k = fileKernel({ built: true, env: { ...process.env, PROBEBOOK_SANDBOX_MEMORY_MB: "64", PROBEBOOK_MAX_ROWS: "100000000" } });

  it("stops a stream whose rows reach half the sandbox's heap limit; the table reaches the cell, and the next cell runs", async () => {
    const r = await streamOnWorkload(k, 25, (pid) =>
      `const t = await tracepoint("syscalls:sys_enter_getppid").where({ pid: ${pid} }).events({ for: "30s" }); [t.numRows() > 100000, t.meta.stoppedBy]`);
    expect(r.content.status, JSON.stringify(r.content)).toBe("ok");
    expect(r.text).toBe("[ true, 'memory' ]");
    figures.sandboxHalfStop = { rows: Number(/stopped at (\d+) rows/.exec(r.stderr)![1]) };
    expect(r.stderr).toMatch(/^syscalls:sys_enter_getppid: stopped at \d+ rows: its rows \(\d+ MB\) reached half the sandbox's heap limit of 64 MB, and the table has to fit in the sandbox\. To keep more, set PROBEBOOK_SANDBOX_MEMORY_MB \(and PROBEBOOK_MAX_MEMORY_MB, which counts it\) in the kernel's environment, or keep fewer columns with \.columns\(\); to see everything, aggregate/);
    expect((await k.execute("[1, 2].length")).text).toBe("2");
  }, 120_000);
});
