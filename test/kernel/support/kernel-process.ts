// Starts a real kernel process for tests: a connection file with free TCP
// ports and a fresh key, and `node <bundle> -f <file>` as a child process whose
// stderr (the kernel's log) is kept for assertions.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionInfo } from "../../../kernel/protocol/connection.js";
// @ts-expect-error plain .mjs build script without types
import { buildTestKernel } from "../fixtures/build-test-kernel.mjs";

let bundle: Promise<string> | undefined;
export const testKernelBundle = (): Promise<string> => (bundle ??= buildTestKernel() as Promise<string>);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function connectionInfo(key = randomBytes(16).toString("hex"), ip = "127.0.0.1"): Promise<ConnectionInfo> {
  const ports: number[] = [];
  while (ports.length < 5) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const [shell, control, stdin, iopub, hb] = ports;
  return {
    transport: "tcp",
    ip,
    shell_port: shell,
    control_port: control,
    stdin_port: stdin,
    iopub_port: iopub,
    hb_port: hb,
    key,
    signature_scheme: "hmac-sha256",
  };
}

export interface KernelProcess {
  info: ConnectionInfo;
  child: ChildProcess;
  /** Everything the kernel wrote to stderr so far. */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process if it is still running and removes the connection file. */
  dispose(): Promise<void>;
}

/** Spawns `command... -f <connection file>`; by default the bundled test-executor kernel. */
/** `info`: the connection to use again (a frontend's restart), instead of fresh ports and key. */
export async function spawnKernel(options: { key?: string; ip?: string; info?: ConnectionInfo; command?: string[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<KernelProcess> {
  const info = options.info ?? (await connectionInfo(options.key, options.ip));
  const dir = await mkdtemp(join(tmpdir(), "probebook-kernel-test-"));
  const file = join(dir, "connection.json");
  await writeFile(file, JSON.stringify(info));
  const command = options.command ?? [process.execPath, await testKernelBundle()];
  const child = spawn(command[0], [...command.slice(1), "-f", file], { stdio: ["ignore", "ignore", "pipe"], env: options.env ?? process.env, ...(options.cwd && { cwd: options.cwd }) });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    info,
    child,
    stderr: () => stderr,
    exited,
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
