// A kernel ends with the front end that launched it, and takes its probes
// along (issue 19). Real processes throughout: jupyter_client's KernelManager
// under /usr/bin/python3, Debian's `jupyter console` in a tmux of the test's
// own, the kernel users run (bin/probebook.js kernel with the real runtime),
// a real background probe. The front end dies as it does on a bad day
// (SIGKILL, its terminal closed) and never sends shutdown_request; within
// 2 s the kernel process must have exited and every BPF program, map and link
// it held (ids read from its fd table before, looked up with bpftool after)
// must be gone. A kernel started by hand, with no launcher to watch, lives on.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parentPid } from "../../kernel/launcher.js";
import { installKernelspecInTempPrefix, type KernelspecPrefix } from "../frontends/support/jupyter-server.js";
import { killSpawned, spawnTracked } from "../support/children.js";
import { heldBpf, waitUntilFreed, type HeldBpf } from "../support/held-bpf.js";
import { childPids, hasExited, killIfRunning, waitUntilExited } from "../support/processes.js";
import { probebookBin, repoRoot } from "./support/built-dist.js";
import { TestClient } from "./support/client.js";
import { executeRequest } from "./support/file-kernel.js";
import { connectionInfo } from "./support/kernel-process.js";

/** The bound, from the front end's death to nothing of the kernel left. */
const GONE_WITHIN_MS = 2000;
/** A background run that attaches and keeps running after its cell (no trailing ";": tmux send-keys reads one as a command separator). */
const BACKGROUND_PROBE = 'const run = tracepoint("sched:sched_switch").count().by("cpu").every("1s").start()';
const LAUNCHER_PY = join(repoRoot, "test/kernel/fixtures/jupyter-client-launcher.py");

let kernelspec: KernelspecPrefix;
let work: string;
/** Kernels the test did not spawn itself (a client or a shell did): killed after each test if still there. */
const strays = new Set<number>();

beforeAll(() => {
  kernelspec = installKernelspecInTempPrefix();
});
afterAll(() => kernelspec?.dispose());
afterEach(async () => {
  await killSpawned();
  for (const pid of strays) killIfRunning(pid);
  strays.clear();
  rmSync(work, { recursive: true, force: true });
});

/** An environment without JPY_PARENT_PID (the test command itself may run under a Jupyter kernel). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, JUPYTER_PATH: kernelspec.jupyterPath, JUPYTER_RUNTIME_DIR: work, ...extra };
  delete env.JPY_PARENT_PID;
  return env;
}

function firstLine(child: ChildProcess, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stdout so far: ${out}`)), timeoutMs);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const end = out.indexOf("\n");
      if (end >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, end));
      }
    });
    child.once("exit", (code, signal) => reject(new Error(`${what}: the process exited (${code ?? signal}) first; stdout: ${out}`)));
  });
}

async function until<T>(read: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What `pid` holds once its background probe is attached (at least one program, map and link). */
function probesOf(pid: number, timeoutMs = 30_000): Promise<HeldBpf> {
  return until(() => {
    const held = heldBpf(pid);
    return held.links.length > 0 && held.progs.length > 0 && held.maps.length > 0 ? held : undefined;
  }, timeoutMs, `kernel ${pid} to attach its background probe`);
}

/** After the front end died at `diedAt`: the kernel exits and everything it held is freed, within the bound. */
async function expectGoneWithItsProbes(what: string, kernel: number, held: HeldBpf, diedAt: number): Promise<number> {
  expect(await waitUntilExited(kernel, 10_000), `kernel ${kernel} still running 10 s after its front end died`).toBe(true);
  const exitedMs = Date.now() - diedAt;
  const left = await waitUntilFreed(held, 10_000);
  const freedMs = Date.now() - diedAt;
  expect(left, "BPF objects the kernel held, still loaded").toEqual([]);
  console.log(`${what}: kernel exited ${exitedMs} ms and its ${held.progs.length} programs, ${held.maps.length} maps, ${held.links.length} links were freed ${freedMs} ms after the front end died`);
  expect(exitedMs, "ms from the front end's death to the kernel's exit").toBeLessThan(GONE_WITHIN_MS);
  expect(freedMs, "ms from the front end's death to its probes freed").toBeLessThan(GONE_WITHIN_MS);
  return freedMs;
}

describe("a kernel whose front end dies goes with it", () => {
  it("jupyter_client (KernelManager) killed with SIGKILL: the kernel shuts down as on shutdown_request, and frees its background probe", async () => {
    work = mkdtempSync(join(tmpdir(), "probebook-launcher-exit-"));
    const client = spawnTracked("/usr/bin/python3", [LAUNCHER_PY, work, BACKGROUND_PROBE], { env: cleanEnv(), stdio: ["ignore", "pipe", "inherit"] });
    const started = JSON.parse(await firstLine(client, 90_000, "the client to start the kernel and run the cell"));
    const kernel: number = started.kernel_pid;
    strays.add(kernel);
    expect(started).toMatchObject({ status: "ok" });
    expect(parentPid(kernel)).toBe(client.pid);
    const held = await probesOf(kernel);

    const diedAt = Date.now();
    client.kill("SIGKILL");
    await expectGoneWithItsProbes("jupyter_client SIGKILL", kernel, held, diedAt);

    // The same orderly shutdown a shutdown_request takes, with one line saying why.
    const log = readFileSync(join(work, "kernel.log"), "utf8");
    expect(log).toContain(`the launcher is JPY_PARENT_PID ${client.pid}, its parent; the kernel shuts down when it exits`);
    expect(log.match(/shutting down.*/g)).toEqual([`shutting down: the launcher (pid ${client.pid}) has exited, so the kernel ends with it`]);
    expect(log).not.toMatch(/\[probebook (error|warn) /);
  }, 120_000);

  for (const close of ["kill-session", "kill-pane"] as const) {
    it(`jupyter console in tmux whose terminal closes (tmux ${close}): the kernel goes, and frees its background probe`, async () => {
      work = mkdtempSync(join(tmpdir(), "probebook-launcher-exit-"));
      const tmux = (...args: string[]) => execFileSync("tmux", ["-L", `probebook-test-${process.pid}`, "-f", "/dev/null", ...args], { encoding: "utf8", env: cleanEnv() });
      try {
        // exec: the pane's process is the console itself, the kernel its child.
        const home = join(work, "home");
        tmux("new-session", "-d", "-s", "pb", "-x", "200", "-y", "50",
          `exec env HOME=${home} IPYTHONDIR=${home}/.ipython jupyter console --kernel probebook`);
        const console_ = Number(tmux("list-panes", "-t", "pb", "-F", "#{pane_pid}").trim());
        const screen = () => tmux("capture-pane", "-p", "-t", "pb");
        await until(() => (/In \[1\]:/.test(screen()) ? true : undefined), 90_000, "the console's first prompt");
        const kernel = await until(() => childPids(console_).find((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").includes("probebook.js")), 5000, "the console's kernel");
        strays.add(kernel);

        tmux("send-keys", "-t", "pb", "-l", BACKGROUND_PROBE);
        tmux("send-keys", "-t", "pb", "Enter");
        await until(() => (/In \[2\]:/.test(screen()) ? true : undefined), 60_000, "the cell to finish (In [2]:)");
        const held = await probesOf(kernel);

        const diedAt = Date.now();
        tmux(close, "-t", "pb");
        await expectGoneWithItsProbes(`jupyter console, tmux ${close}`, kernel, held, diedAt);
        expect(hasExited(console_)).toBe(true);
      } finally {
        try {
          tmux("kill-server");
        } catch {
          // already gone with its last session
        }
      }
    }, 180_000);
  }

  it("a launcher behind a wrapper (as `sudo -E` stays between): the kernel watches JPY_PARENT_PID, not the wrapper that lives on", async () => {
    work = mkdtempSync(join(tmpdir(), "probebook-launcher-exit-"));
    const file = join(work, "connection.json");
    writeFileSync(file, JSON.stringify(await connectionInfo()));
    // The launcher sets JPY_PARENT_PID to itself as jupyter_client does and runs the kernel under a shell that
    // does not exec it (a command follows), then prints the shell's pid.
    const launcher = spawnTracked(process.execPath, ["-e", `
      const { spawn } = require("node:child_process");
      const sh = spawn("sh", ["-c", '"$0" "$1" kernel -f "$2" 2>"$3"; echo kernel-ended', ${JSON.stringify(process.execPath)}, ${JSON.stringify(probebookBin)}, ${JSON.stringify(file)}, ${JSON.stringify(join(work, "kernel.log"))}],
        { env: { ...process.env, JPY_PARENT_PID: String(process.pid) }, stdio: ["ignore", "ignore", "inherit"] });
      console.log(sh.pid);
      setInterval(() => {}, 1000);
    `], { env: cleanEnv(), stdio: ["ignore", "pipe", "inherit"] });
    const wrapper = Number(await firstLine(launcher, 10_000, "the wrapper's pid"));
    strays.add(wrapper);
    const kernel = await until(() => childPids(wrapper)[0], 10_000, "the kernel under the wrapper");
    strays.add(kernel);
    const log = () => { try { return readFileSync(join(work, "kernel.log"), "utf8"); } catch { return ""; } };
    await until(() => (log().includes("the kernel shuts down when it exits") ? true : undefined), 30_000, "the kernel to watch its launcher");
    expect(log()).toContain(`the launcher is JPY_PARENT_PID ${launcher.pid}, an ancestor (a wrapper runs between them)`);

    const diedAt = Date.now();
    launcher.kill("SIGKILL");
    expect(await waitUntilExited(kernel, 10_000)).toBe(true);
    expect(Date.now() - diedAt).toBeLessThan(GONE_WITHIN_MS);
    expect(log()).toContain(`shutting down: the launcher (pid ${launcher.pid}) has exited, so the kernel ends with it`);
  }, 60_000);
});

describe("a kernel with no launcher to watch", () => {
  it("started by hand (a connection file, no JPY_PARENT_PID) keeps running, probe attached, after the process that spawned it exits; shutdown_request then ends it", async () => {
    work = mkdtempSync(join(tmpdir(), "probebook-launcher-exit-"));
    const info = await connectionInfo();
    const file = join(work, "connection.json");
    writeFileSync(file, JSON.stringify(info));
    // A shell starts the kernel in the background and exits at once, as a user's terminal session might.
    const sh = spawn("sh", ["-c", '"$0" "$1" kernel -f "$2" >/dev/null 2>"$3" & echo $!', process.execPath, probebookBin, file, join(work, "kernel.log")],
      { env: cleanEnv(), stdio: ["ignore", "pipe", "inherit"] });
    const kernel = Number(await firstLine(sh, 10_000, "the kernel's pid"));
    strays.add(kernel);
    await new Promise((resolve) => (sh.exitCode !== null ? resolve(null) : sh.once("exit", resolve)));
    expect(parentPid(kernel)).not.toBe(sh.pid); // orphaned: its spawner is gone

    const client = new TestClient(info);
    try {
      await client.waitForReady(30_000);
      const id = await client.send("shell", "execute_request", executeRequest(BACKGROUND_PROBE));
      expect((await client.reply("shell", id, 60_000)).content.status).toBe("ok");
      const held = await probesOf(kernel);

      // Well past the time a launcher's exit takes to end a kernel: still running, still answering, probe still attached.
      await new Promise((r) => setTimeout(r, 3000));
      expect(hasExited(kernel)).toBe(false);
      const count = await client.send("shell", "execute_request", executeRequest("(await runs()).length"));
      await client.reply("shell", count, 30_000);
      expect((await client.iopubMsg(count, "execute_result", 5000)).content.data["text/plain"]).toBe("1");
      expect(heldBpf(kernel).links).toEqual(held.links);
      const log = readFileSync(join(work, "kernel.log"), "utf8");
      expect(log).toContain("no JPY_PARENT_PID (started by hand, not by a Jupyter client): the kernel runs until shutdown_request or SIGTERM");
      expect(log).not.toMatch(/shutting down/);

      const bye = await client.send("control", "shutdown_request", { restart: false });
      expect((await client.reply("control", bye, 10_000)).content).toEqual({ status: "ok", restart: false });
      expect(await waitUntilExited(kernel, 10_000)).toBe(true);
      expect(await waitUntilFreed(held, 10_000)).toEqual([]);
    } finally {
      client.close();
    }
  }, 120_000);
});
