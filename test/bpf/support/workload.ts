// A child process the test controls: built with cc into a temp dir, started,
// and held until go() so that probes are attached before it does anything.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export interface HeldWorkload {
  child: ChildProcess;
  pid: number;
  /** Lets the workload run; resolves with its exit code. */
  go(): Promise<number | null>;
  dispose(): void;
}

/** Compiles support/<name>.c into a fresh temp dir; returns the binary's path and a cleanup. */
export function buildWorkload(name: string): { bin: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "probebook-wl-"));
  const bin = join(dir, name);
  execFileSync("cc", ["-O2", "-Wall", "-o", bin, join(here, `${name}.c`)]);
  return { bin, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts `bin args`, waits until it printed "ready", and holds it there. */
export async function startHeld(bin: string, args: string[]): Promise<HeldWorkload> {
  const child = spawn(bin, args, { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ready\n")) resolve();
    });
    child.once("error", reject);
    void exited.then((code) => reject(new Error(`${bin} exited (${code}) before it was ready`)));
  });
  return {
    child,
    pid: child.pid!,
    go: () => {
      child.stdin!.end("g");
      return exited;
    },
    dispose: () => {
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** Names of loaded BPF programs (bpftool prog show -j). */
export function loadedProgramNames(): string[] {
  const out = execFileSync("bpftool", ["prog", "show", "-j"], { encoding: "utf8" });
  return (JSON.parse(out) as { name?: string }[]).map((p) => p.name ?? "");
}
