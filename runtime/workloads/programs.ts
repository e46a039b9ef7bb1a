// How each catalog workload is run: its program in workloads/build/ (built by
// scripts/build-workloads.sh), its arguments from the checked params, and the
// handle's `info`. The only place a catalog name becomes a command line.

import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../sandbox/paths.js";
import { WORKLOAD_MAX_MS, type WorkloadName } from "../spec/workload-catalog.js";

export interface ProgramRun {
  /** The executable, under workloads/build/. */
  binary: string;
  args: string[];
  /** The handle's info (before the program's own "info" lines are added). */
  info: Record<string, string | number>;
}

/** Where the built workloads are. */
export function workloadsDir(): string {
  return join(projectRoot(), "workloads/build");
}

/** The program, arguments and info of `name` with checked `params`. */
export function programFor(name: WorkloadName, params: Record<string, number>): ProgramRun {
  const dir = workloadsDir();
  const binary = join(dir, name);
  if (!existsSync(binary)) throw new Error(`the workload ${name} is not built (${binary} is missing): run \`bash scripts/build.sh\` (or npm run setup)`);
  const seconds = String(WORKLOAD_MAX_MS / 1000);
  const p = (key: string) => String(params[key]);
  switch (name) {
    case "open-loop": {
      const path = join(dir, "open-loop.target");
      const missingPath = join(dir, "open-loop.missing");
      return { binary, args: [path, p("opens"), p("pauseUs"), missingPath, p("missing")], info: { path, missingPath } };
    }
    case "sleep-loop":
      return { binary, args: [p("sleeps"), p("us")], info: {} };
    case "tcp-echo":
      return { binary, args: [p("connections"), p("bytes")], info: {} };
    case "cpu-spin":
      return { binary, args: [p("ms")], info: {} };
    case "contention":
      return { binary, args: [p("threadsPerCpu"), p("loops"), p("spinUs")], info: {} };
    case "timed-calls":
      return { binary, args: [p("fast"), p("slow"), p("fastUs"), p("slowUs")], info: {} };
    case "direct-io": {
      const dir = tmpdir(); // on a disk here (ext4); tmpfs refuses O_DIRECT, which the program reports
      return { binary, args: [dir, p("blocks"), p("kib")], info: { dir } };
    }
    case "getppid-loop":
      return { binary, args: [seconds, p("calls")], info: {} };
  }
}
