// Compiles a test workload (support/<name>.c, or a catalog workload the tests
// share: workloads/<name>.c) with cc into a fresh temp dir; the one C build
// helper of the tests (flags default to -O2).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { prebuiltName } from "../../../scripts/guest/prebuilt.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const catalog = join(here, "../../../workloads");

/** The source of workload `name`: the tests' own, else the catalog's. */
export function workloadSource(name: string): string {
  const own = join(here, `${name}.c`);
  return existsSync(own) ? own : join(catalog, `${name}.c`);
}

export interface BuiltC {
  bin: string;
  dir: string;
  cleanup(): void;
}

/**
 * Where the host put the workloads it built before booting a guest
 * (scripts/guest/test-kernels.mjs): compiling under the guest's emulation
 * takes tens of seconds a file.
 */
const prebuilt = process.env.PB_PREBUILT_WORKLOADS;


/** `libs` go after the source (link order: -lssl, or -Wl,-Bstatic -lssl ... to link a library in). */
export function buildC(name: string, flags: string[] = ["-O2"], libs: string[] = []): BuiltC {
  if (prebuilt) {
    const bin = join(prebuilt, prebuiltName(name, flags), name);
    if (!existsSync(bin)) {
      const why = join(dirname(bin), "why.txt");
      throw new Error(`the host built no ${name} with ${flags.join(" ")} in ${prebuilt} (scripts/guest/test-kernels.mjs builds each ` +
        `workload alone with each flag set the tests use, with no libraries)${existsSync(why) ? `: ${readFileSync(why, "utf8")}` : ""}`);
    }
    return { bin, dir: dirname(bin), cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), "probebook-wl-"));
  const bin = join(dir, name);
  try {
    execFileSync("cc", [...flags, "-Wall", "-pthread", "-o", bin, workloadSource(name), ...libs], { stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as { stderr?: Buffer };
    throw new Error(`compiling the test workload ${name}.c failed (is cc installed?): ${err.stderr?.toString() ?? e}`);
  }
  return { bin, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
