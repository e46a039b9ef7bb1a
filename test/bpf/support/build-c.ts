// Compiles a test workload (support/<name>.c) with cc into a fresh temp dir;
// the one C build helper of the tests (flags default to -O2).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export interface BuiltC {
  bin: string;
  dir: string;
  cleanup(): void;
}

export function buildC(name: string, flags: string[] = ["-O2"]): BuiltC {
  const dir = mkdtempSync(join(tmpdir(), "probebook-wl-"));
  const bin = join(dir, name);
  try {
    execFileSync("cc", [...flags, "-Wall", "-o", bin, join(here, `${name}.c`)], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as { stderr?: Buffer };
    throw new Error(`compiling the test workload ${name}.c failed (is cc installed?): ${err.stderr?.toString() ?? e}`);
  }
  return { bin, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
