// `probebook console` as a person uses it: Debian's jupyter-console in a real
// terminal (tmux), keys typed with send-keys, the screen read with
// capture-pane. The kernel is the built one, with real probes on a workload
// this test starts (support/agg-steps.c: N x nanosleep(1 ms) on command).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildC, type BuiltC } from "../bpf/support/build-c.js";
import { startStepper, type Stepper } from "../bpf/support/stepper.js";
import { killSpawned } from "../support/children.js";
import { probebookBin, requireBuiltDist } from "../kernel/support/built-dist.js";
import { startTerminal, type Terminal } from "./support/tmux.js";

const COLUMNS = 100;
/** Image viewers jupyter-console (through PIL) could hand a PNG to; each one here only notes that it was called. */
const VIEWERS = ["xdg-open", "display", "eog", "feh", "gm", "xv", "see", "gio"];

let dir: string;
let build: BuiltC;
let workload: Stepper;
let term: Terminal;
let prompt = 1;
let closed = false;

/** Our kernels still running: found by their connection files, in our dir. */
function ourKernels(): number[] {
  return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(join(dir, "runtime", "kernel-"));
    } catch {
      return false; // gone meanwhile
    }
  }).map(Number);
}

/** Types a cell and waits for the next prompt; returns what the cell printed (between its prompt and the next). */
async function run(code: string, timeoutMs = 60_000): Promise<string> {
  term.type(code);
  return finished(timeoutMs);
}

async function finished(timeoutMs = 60_000): Promise<string> {
  const next = `In [${prompt + 1}]:`;
  const history = await term.waitFor((s) => s.includes(next), `the prompt ${next}`, timeoutMs);
  const out = history.slice(history.lastIndexOf(`In [${prompt}]:`), history.lastIndexOf(next));
  prompt++;
  return out;
}

/** The bpftrace-style rows of a histogram's text: label, count, number of '@'. */
function histogramRows(out: string) {
  return [...out.matchAll(/^(\[[^\]\n|]*?[\])])\s+(\d+) \|(@*) *\|$/gm)].map((m) => ({ label: m[1]!, count: Number(m[2]), bars: m[3]!.length }));
}

beforeAll(async () => {
  requireBuiltDist();
  dir = mkdtempSync(join(tmpdir(), "probebook-console-"));
  const fakeBin = join(dir, "bin");
  mkdirSync(fakeBin);
  for (const viewer of VIEWERS) {
    writeFileSync(join(fakeBin, viewer), `#!/bin/sh\necho "$0 $*" >> ${join(dir, "viewer-called")}\n`);
    chmodSync(join(fakeBin, viewer), 0o755);
  }
  build = buildC("agg-steps");
  workload = await startStepper(build.bin);
  // Its own Jupyter dirs (kernelspec, connection files), so that nothing of the user's is touched.
  const env = {
    JUPYTER_DATA_DIR: join(dir, "data"),
    JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
    JUPYTER_CONFIG_DIR: join(dir, "config"),
    IPYTHONDIR: join(dir, "ipython"),
    PATH: `${fakeBin}:${process.env.PATH}`,
    TERM: "xterm-256color",
    LANG: "C.UTF-8",
  };
  const assignments = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(" ");
  term = startTerminal(dir, `env -u COLUMNS ${assignments} node ${probebookBin} console`, { columns: COLUMNS, rows: 60 });
  await term.waitFor((s) => s.includes("In [1]:"), "the first prompt", 120_000);
}, 180_000);

afterAll(async () => {
  if (term && !closed) {
    // Ctrl-D, then yes: the console shuts its kernel down.
    term.press("C-d");
    await term.waitFor((s) => /exit \(\[y\]\/n\)\?\s*$/.test(s), "the exit question", 10_000).then(() => term.type("y"), () => undefined);
    await term.waitFor((s) => s.includes("Shutting down kernel"), "the kernel's shutdown", 20_000).catch(() => undefined);
    term.kill();
  }
  await workload?.dispose();
  await killSpawned();
  // A kernel of ours still running (the console killed before it could shut it down).
  if (dir) for (const pid of ourKernels()) process.kill(pid, "SIGKILL");
  build?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("probebook console (jupyter-console in tmux)", () => {
  it("shows a latency histogram of 1 ms sleeps with its bar in the 1 ms row; progress shows while the probe runs and is gone after", async () => {
    term.type(`const lat = await syscall("clock_nanosleep").latency().where({ pid: ${workload.pid} }).histogram({ for: "3s", subBuckets: 1 })`);
    const collecting = await term.waitFor((s) => /collecting, \d+\.\d s of 3\.0 s/.test(s), "the progress line");
    expect(collecting).toMatch(/clock_nanosleep.*: collecting, \d+\.\d s of 3\.0 s, 0 events/);
    await workload.step("s 200 1000"); // 200 x nanosleep(1 ms)
    const collected = await finished();
    // The progress line was erased when the result came: nothing of it is left on the screen.
    expect(collected).not.toContain("collecting");

    const out = await run("plot.histogram(lat)");
    const rows = histogramRows(out);
    expect(out).toContain("log2 histogram of latency: 200 counted");
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(200);
    const oneMs = rows.find((r) => r.label === "[1ms, 2ms)")!;
    expect(oneMs).toBeDefined();
    // The rows are laid out to the terminal's width, and the 1 ms row holds the full bar.
    const width = out.split("\n").find((line) => line.startsWith("[1ms, 2ms)"))!.length;
    expect(width).toBe(COLUMNS);
    expect(oneMs.bars).toBe(Math.max(...rows.map((r) => r.bars)));
    // A sleep never ends early; a busy host (other tests, other VMs) can wake one 1-48 us before 2^20 ns or
    // late, so most, not all, of the counts are in the 1 ms row; a stray count gets no '@' of its own
    // (bpftrace's rounding) unless it is more than 1/60 of the row.
    expect(oneMs.count).toBeGreaterThanOrEqual(180);
    for (const r of rows.filter((row) => row !== oneMs)) expect(r.bars).toBeLessThanOrEqual(Math.ceil((r.count / oneMs.count) * oneMs.bars));
    expect(rows.filter((r) => r.bars > 0).map((r) => r.label)).toEqual(expect.arrayContaining(["[1ms, 2ms)"]));

    // The table itself reads the same buckets.
    const table = await run("lat");
    expect(table).toMatch(/^bucket\s+lower\s+upper\s+count$/m);
    expect(table).toMatch(/^\[1ms, 2ms\)\s+1048576\s+2097152\s+\d+$/m);
  });

  it("shows a time series' intervals as a sparkline with min, max and last, and the interval ends underneath", async () => {
    term.type(`const ts = await syscall("clock_nanosleep").where({ pid: ${workload.pid} }).count().every("1s").run({ for: "4s" })`);
    await term.waitFor((s) => s.split(`In [${prompt}]:`).at(-1)!.includes("collecting"), "the progress line");
    await workload.step("s 100 1000");
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await workload.step("s 300 1000");
    await finished();

    const total = await run(`ts.rollup({ n: aq.op.sum("count") }).get("n", 0)`);
    expect(total).toMatch(/Out\[\d+\]: 400$/m);
    const out = await run(`plot.line(ts, { x: "time", y: "count" })`);
    // One point per interval that counted something (the sleeps fell in two or three of the four).
    const points = Number(/line plot of count by time: (\d+) points/.exec(out)![1]);
    expect(points).toBeGreaterThanOrEqual(2);
    expect(points).toBeLessThanOrEqual(4);
    // One sparkline: an equal run of characters for each interval, then min, max, last.
    const spark = /^count ([▁▂▃▄▅▆▇█ ]+) min (\d+) max (\d+) last (\d+)$/m.exec(out)!;
    expect(spark).not.toBeNull();
    expect(Number(spark[3])).toBeGreaterThanOrEqual(100);
    expect(spark[1]!.length % points).toBe(0);
    const runs = spark[1]!.match(/(.)\1*/g)!;
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.length % (spark[1]!.length / points) === 0)).toBe(true);
    // The first and last interval ends underneath, in UTC, whole seconds apart (intervals of 1 s).
    const axis = /^ +(\d\d):(\d\d):(\d\d\.\d{3}) +(\d\d):(\d\d):(\d\d\.\d{3})  time \(UTC\)$/m.exec(out)!;
    expect(axis).not.toBeNull();
    const seconds = (h: string, m: string, sec: string) => Number(h) * 3600 + Number(m) * 60 + Number(sec);
    const span = seconds(axis[4]!, axis[5]!, axis[6]!) - seconds(axis[1]!, axis[2]!, axis[3]!);
    expect(span).toBeGreaterThanOrEqual(points - 1 - 0.3);
    expect(Math.abs(span - Math.round(span))).toBeLessThan(0.3);
  });

  it("interrupts a 60 s probe on Ctrl-C: back at a prompt within a few seconds, and the kernel goes on", async () => {
    term.type(`await syscall("read").count().run({ for: "60s" })`);
    await term.waitFor((s) => /collecting, \d+\.\d s of 60\.0 s/.test(s.split(`In [${prompt}]:`).at(-1)!), "the progress line");
    const pressed = Date.now();
    term.press("C-c");
    const out = await finished(20_000);
    const seconds = (Date.now() - pressed) / 1000;
    expect(seconds).toBeLessThan(5);
    expect(out).not.toContain("KeyboardInterrupt escaped");
    // The progress line, redrawn in place, says the run stopped; the cell ends with the interrupt.
    expect(out).toMatch(/^count of syscalls:sys_enter_read: stopped$/m);
    expect(out).not.toContain("collecting");
    expect(out).toContain("KeyboardInterrupt: the cell was interrupted");
    expect(await run("1 + 1")).toMatch(/Out\[\d+\]: 2$/m);
  });

  it("never hands a picture to a viewer: no viewer ran, no error of one is on the screen", () => {
    const everything = term.history();
    expect(existsSync(join(dir, "viewer-called"))).toBe(false);
    for (const word of ["xdg-open", "not found", "display:", "Traceback"]) expect(everything).not.toContain(word);
  });

  it("shuts its kernel down when the terminal goes away (SIGHUP, as when ssh drops), even mid-probe", async () => {
    term.type(`await syscall("read").count().run({ for: "60s" })`);
    await term.waitFor((s) => s.split(`In [${prompt}]:`).at(-1)!.includes("collecting"), "the progress line");
    expect(ourKernels()).toHaveLength(1);
    closed = true;
    term.kill();
    const until = Date.now() + 15_000;
    while (ourKernels().length > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ourKernels()).toEqual([]);
  });
});

// The kernel under test must be this checkout's: the kernelspec the console installed points here.
it("installs the kernelspec into the user's Jupyter dir, pointing at this checkout", () => {
  const spec = JSON.parse(readFileSync(join(dir, "data", "kernels", "probebook", "kernel.json"), "utf8")) as { argv: string[] };
  expect(spec.argv[1]).toBe(probebookBin);
  expect(execFileSync("tmux", ["-V"], { encoding: "utf8" })).toMatch(/^tmux \d/);
});
