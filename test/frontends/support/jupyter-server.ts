// Debian's jupyter-server as a test fixture: the probebook kernelspec is
// installed into a temporary prefix with `probebook install --prefix`, found
// through JUPYTER_PATH, and the server runs on a free loopback port with a
// fresh token and its own config, data and runtime directories (nothing from
// the machine's Jupyter setup leaks in, nothing is left behind).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { probebookBin, repoRoot, requireBuiltDist } from "../../kernel/support/built-dist.js";
import { freePort } from "../../kernel/support/kernel-process.js";

/** Debian's interpreter: the one that sees python3-jupyter-server. */
export const DEBIAN_PYTHON = "/usr/bin/python3";

export interface KernelspecPrefix {
  /** The directory to put on JUPYTER_PATH. */
  jupyterPath: string;
  dispose(): void;
}

/** `node bin/probebook.js install --prefix <tmp>`: the kernelspec exactly as a user installs it. */
export function installKernelspecInTempPrefix(): KernelspecPrefix {
  requireBuiltDist();
  const prefix = mkdtempSync(join(tmpdir(), "probebook-frontend-prefix-"));
  execFileSync(process.execPath, [probebookBin, "install", "--prefix", prefix], { cwd: repoRoot, encoding: "utf8" });
  return { jupyterPath: join(prefix, "share/jupyter"), dispose: () => rmSync(prefix, { recursive: true, force: true }) };
}

export interface JupyterServer {
  baseUrl: string;
  wsUrl: string;
  token: string;
  child: ChildProcess;
  /** Everything the server logged so far (it logs to stderr; the kernel's stderr goes there too). */
  log(): string;
  stop(): Promise<void>;
}

export interface JupyterServerOptions {
  jupyterPath: string;
  timeoutMs?: number;
  /** More command-line options, e.g. `--ServerApp.extra_static_paths=[...]`. */
  extraArgs?: string[];
  /** The server's root directory (a fresh empty one by default). */
  rootDir?: string;
}

export async function startJupyterServer(options: JupyterServerOptions): Promise<JupyterServer> {
  const home = mkdtempSync(join(tmpdir(), "probebook-jupyter-server-"));
  const rootDir = options.rootDir ?? join(home, "root");
  mkdirSync(rootDir, { recursive: true });
  const port = await freePort();
  const token = randomBytes(24).toString("hex");
  const env = {
    ...process.env,
    JUPYTER_PATH: options.jupyterPath,
    JUPYTER_CONFIG_DIR: join(home, "config"),
    JUPYTER_DATA_DIR: join(home, "data"),
    JUPYTER_RUNTIME_DIR: join(home, "runtime"),
    JUPYTER_PLATFORM_DIRS: "1",
  };
  const child = spawn(
    DEBIAN_PYTHON,
    [
      "-m", "jupyter_server",
      `--ServerApp.token=${token}`,
      `--port=${port}`,
      "--ServerApp.port_retries=0",
      "--ServerApp.ip=127.0.0.1",
      `--ServerApp.root_dir=${rootDir}`,
      "--no-browser",
      "--allow-root",
      ...(options.extraArgs ?? []),
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => (log += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => (log += c));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const baseUrl = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // SIGTERM lets the server shut its kernels down; SIGKILL if it hangs.
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(home, { recursive: true, force: true });
  };

  // Ready when the REST API answers with our token.
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`jupyter-server exited (${child.exitCode}) before it was ready:\n${log}`);
    }
    try {
      const response = await fetch(`${baseUrl}api/status`, { headers: { Authorization: `token ${token}` } });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jupyter-server did not answer on ${baseUrl} within ${options.timeoutMs ?? 30_000} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { baseUrl, wsUrl: `ws://127.0.0.1:${port}/`, token, child, log: () => log, stop };
}
