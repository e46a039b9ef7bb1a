// Compiles a test workload (support/<name>.c) with chosen flags into a fresh
// temp dir; for workloads that need more than workload.ts's -O2 build.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export function buildC(name: string, flags: string[] = ["-O2"]): { bin: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "probebook-wl-"));
  const bin = join(dir, name);
  execFileSync("cc", [...flags, "-Wall", "-o", bin, join(here, `${name}.c`)]);
  return { bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
