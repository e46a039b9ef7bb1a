// The processes the bench drives: the getppid workload, the floor loader,
// bpftrace and the attachment watcher (all built by bench/Makefile).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
/** The probebook checkout whose dist/ and bin/ are measured (PROBEBOOK_ROOT: another, e.g. a snapshot). */
export const ROOT = process.env.PROBEBOOK_ROOT ?? dirname(BENCH_DIR);
export const FLOOR_BIN = join(BENCH_DIR, "floor", "build");
export const TP = "sys_enter_getppid";
/** The CPU the workload is pinned to (the anchors' LOOP_CPU). */
export const LOOP_CPU = Number(process.env.LOOP_CPU ?? 1);

/** Runs a command to completion; rejects with its stderr when it fails.
 *  ("close", not "exit": exit can come before the last of stdout is read.) */
export function run(cmd, args, { timeoutMs = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ out, err });
      else reject(new Error(`bench: ${cmd} ${args.join(" ")} failed (${signal ?? `exit ${code}`}): ${err.trim().slice(-600)}`));
    });
  });
}

/** N getppid calls pinned to `cpu`; returns ns per call and the calls made (warm-up included). */
export async function loop(n, cpu = LOOP_CPU) {
  const { out } = await run(join(FLOOR_BIN, "loop"), [String(n), String(cpu)]);
  const m = /ns_per_call=([\d.]+) calls=(\d+) elapsed_ns=(\d+)/.exec(out);
  if (!m) throw new Error(`bench: the loop printed no result: ${out}`);
  return { nsPerCall: Number(m[1]), calls: Number(m[2]), elapsedNs: Number(m[3]) };
}

/** Several loops at once, one per CPU; the wall time is the slowest one's. */
export async function loops(n, cpus) {
  const results = await Promise.all(cpus.map((cpu) => loop(n, cpu)));
  return {
    calls: results.reduce((s, r) => s + r.calls, 0),
    elapsedNs: Math.max(...results.map((r) => r.elapsedNs)),
    nsPerCall: results.reduce((s, r) => s + r.nsPerCall, 0) / results.length,
  };
}

/** Polls PID until the kernel shows TP attached (or, with gone, detached); resolves with the monotonic ns. */
export function watchAttach(pid, { tp = TP, gone = false, timeoutMs = 60000 } = {}) {
  const args = ["-p", String(pid), "-t", tp, "-T", String(timeoutMs), ...(gone ? ["-g"] : [])];
  let child;
  const done = new Promise((resolve, reject) => {
    child = spawn(join(FLOOR_BIN, "attachwatch"), args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("close", (code) => (code === 0 ? resolve(BigInt(out.trim())) : reject(new Error(err.trim() || `attachwatch exited ${code}`))));
  });
  done.catch(() => undefined);
  // Give the watcher a moment to exec and start polling before the caller acts.
  const started = new Promise((resolve) => child.once("spawn", () => setTimeout(resolve, 30)));
  return { done, started, cancel: () => child.kill("SIGKILL") };
}

/**
 * The watcher's answer, unless the cell (`run`, a promise) ends first: a cell that
 * fails or finishes without attaching must fail the bench at once, not after the
 * watcher's timeout (and never as an unhandled rejection).
 */
export function attachedOrFailed(watch, run, what = "the probe cell") {
  const ended = run.then(
    () => Promise.reject(new Error(`bench: ${what} finished before the kernel showed the probe attached`)),
    (error) => Promise.reject(error),
  );
  ended.catch(() => undefined);
  return Promise.race([watch.done, ended]).finally(() => watch.cancel());
}

/** Fork-to-attached and SIGINT-to-exit of a tracer command, in ms (attachwatch's fork mode). */
export async function forkToAttach(cmd, tp = TP) {
  const { out } = await run(join(FLOOR_BIN, "attachwatch"), ["-t", tp, "-T", "30000", "--", ...cmd]);
  const m = /attach_ms=([\d.]+) exit_ms=([\d.]+)/.exec(out);
  if (!m) throw new Error(`bench: attachwatch printed no result: ${out}`);
  return { attachMs: Number(m[1]), exitMs: Number(m[2]), out };
}

function waitFor(child, pattern, what, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`bench: ${what} did not start in ${timeoutMs} ms`)), timeoutMs);
    const onData = (d) => {
      seen += d;
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stdout.off("data", onData);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`bench: ${what} exited (${code}) before it was ready`));
    });
  });
}

function collect(child) {
  let out = "", err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const exited = new Promise((resolve) => child.once("close", (code) => resolve(code)));
  return { output: () => out, errors: () => err, exited };
}

/** SIGINT, resent every 0.5 s until the process exits (bpftrace 0.17 can lose one). */
async function interrupt(child, exited) {
  child.kill("SIGINT");
  const timer = setInterval(() => child.kill("SIGINT"), 500);
  try {
    return await exited;
  } finally {
    clearInterval(timer);
  }
}

/** The floor loader in `mode`; `stop()` returns its JSON summary. */
export async function startFloor(mode, args = []) {
  const child = spawn(join(FLOOR_BIN, "floor"), [mode, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const io = collect(child);
  await waitFor(child, /ready\n/, `floor ${mode}`);
  return {
    pid: child.pid,
    async stop() {
      const code = await interrupt(child, io.exited);
      const line = io.output().split("\n").find((l) => l.startsWith("{"));
      if (code !== 0 || !line) throw new Error(`bench: floor ${mode} failed (${code}): ${io.errors()}`);
      return JSON.parse(line);
    },
  };
}

/** bpftrace with `script`, started once the kernel shows every `tps` attached. */
export async function startBpftrace(script, tps = [TP]) {
  const child = spawn("bpftrace", ["-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  const io = collect(child);
  for (const tp of tps) await watchAttach(child.pid, { tp }).done;
  return {
    pid: child.pid,
    async stop() {
      await interrupt(child, io.exited);
      return { output: io.output(), errors: io.errors() };
    },
  };
}

/** CPU time (user + system, all threads) a process has used so far, in ns. */
export function cpuNs(pid = process.pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1e9) / CLK_TCK;
}
const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux

export const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

export const percentile = (xs, p) => {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor((p / 100) * v.length))];
};

/** Rotates `items` by `rep` so variant order differs between repetitions. */
export const rotate = (items, rep) => items.map((_, i) => items[(i + rep) % items.length]);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
