// Tests of the kernel as users run it (bin/probebook.js loads dist/). In the
// project's test command dist/ is always built first (scripts/setup.sh ->
// scripts/build.sh), so a missing dist/ is a broken setup, not a reason to
// skip: these tests fail and say how to fix it.
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../../..");
export const probebookBin = resolve(repoRoot, "bin/probebook.js");

/** Throws, with what to do, unless the kernel and the sandbox prelude are built. */
export function requireBuiltDist(): void {
  for (const file of ["dist/kernel/main.js", "dist/runtime/session.js", "dist/sandbox/prelude.js"]) {
    if (!existsSync(resolve(repoRoot, file))) {
      throw new Error(`${file} is missing: this test runs the built kernel. Run \`npm run build\` (or \`npm test\`, which builds first) in ${repoRoot}`);
    }
  }
}
