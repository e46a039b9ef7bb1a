// A child process the test controls (a workload built by build-c.ts), started
// and held until go() so that probes are attached before it does anything.
// Spawned through test/support/children.ts: files that use it call
// `afterEach(killSpawned)` so a failed assertion cannot leave it running.
import type { ChildProcess } from "node:child_process";
import { spawnTracked } from "../../support/children.js";
import { buildC, type BuiltC } from "./build-c.js";

export interface HeldWorkload {
  child: ChildProcess;
  pid: number;
  /** Lets the workload run; resolves with its exit code. */
  go(): Promise<number | null>;
  dispose(): void;
}

/** Compiles support/<name>.c at -O2 (build-c.ts); kept for test/frontends, which imports it from here. */
export function buildWorkload(name: string): BuiltC {
  return buildC(name);
}

/** Starts `bin args`, waits until it printed "ready", and holds it there. */
export async function startHeld(bin: string, args: string[]): Promise<HeldWorkload> {
  const child = spawnTracked(bin, args, { stdio: ["pipe", "pipe", "inherit"] });
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

/** Builds support/<name>.c, starts it held with `args`, runs `fn`, then kills and deletes it whatever happens. */
export async function withHeldWorkload<T>(name: string, args: string[], fn: (w: HeldWorkload, bin: string) => Promise<T>): Promise<T> {
  const build = buildC(name);
  try {
    const w = await startHeld(build.bin, args);
    try {
      return await fn(w, build.bin);
    } finally {
      w.dispose();
    }
  } finally {
    build.cleanup();
  }
}
