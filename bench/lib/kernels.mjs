// Starts Jupyter kernels as a frontend would: a connection file with free
// ports and a fresh key, then the kernel's command with that file.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JupyterClient, monoNs } from "./jupyter-client.mjs";

// Kernels this process started: killed if the bench exits without disposing of
// them (a crash), so no kernel outlives the run.
const running = new Set();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function connectionInfo() {
  const ports = new Set();
  while (ports.size < 5) ports.add(await freePort());
  const [shell, control, stdin, iopub, hb] = [...ports];
  return {
    transport: "tcp", ip: "127.0.0.1", shell_port: shell, control_port: control, stdin_port: stdin,
    iopub_port: iopub, hb_port: hb, key: randomBytes(16).toString("hex"), signature_scheme: "hmac-sha256",
    kernel_name: "bench",
  };
}

/**
 * Launches `command ... <connection file>` and connects a client.
 * `launchedAt` is the monotonic time just before the spawn.
 */
export async function launchKernel(command, { env = {}, cwd } = {}) {
  const info = await connectionInfo();
  const dir = mkdtempSync(join(tmpdir(), "probebook-bench-"));
  const file = join(dir, "kernel.json");
  writeFileSync(file, JSON.stringify(info));
  const client = new JupyterClient(info);
  const argv = command(file);
  const launchedAt = monoNs();
  const child = spawn(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  running.add(child);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => {
    running.delete(child);
    resolve({ code, signal });
  }));
  return {
    info, client, child, launchedAt, exited,
    stderr: () => stderr,
    rssKb: () => rssKb(child.pid),
    /** kernel_info until answered; a failure says what the kernel printed and whether it exited. */
    async ready(timeoutMs = 30000) {
      try {
        return await client.waitForReady(timeoutMs);
      } catch (error) {
        const state = child.exitCode !== null || child.signalCode ? `it exited (${child.signalCode ?? child.exitCode})` : "it is still running";
        throw new Error(`${error.message}; launched as ${argv.join(" ")}, ${state}; its stderr ends with:\n${stderr.slice(-1500)}`);
      }
    },
    async dispose() {
      client.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resident set of a process and its peak, in KiB (from /proc/PID/status). */
export function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const get = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: get("VmRSS"), hwm: get("VmHWM") };
}
