// The two kernels the bench launches: probebook (bin/probebook.js, built
// dist/) and, when it is installed in a temp dir, tslab (a TypeScript kernel
// to compare start-up, completion and memory with).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { launchKernel } from "./kernels.mjs";
import { ROOT } from "./procs.mjs";

export const launchProbebook = () => launchKernel((file) => [process.execPath, join(ROOT, "bin", "probebook.js"), "kernel", "-f", file], { cwd: ROOT });

/** Where bench/run.sh installs tslab (never into the project). */
export const TSLAB_DIR = process.env.BENCH_TSLAB_DIR ?? "/tmp/probebook-bench-tslab";
const tslabBin = () => join(TSLAB_DIR, "node_modules", "tslab", "bin", "tslab");
export const tslabInstalled = () => existsSync(tslabBin());
export const launchTslab = () => launchKernel((file) => [process.execPath, tslabBin(), "kernel", "--config-path", file]);

/** A cell that collects getppid events for `duration` and returns the row count. */
export const probeCell = (duration = "200ms") =>
  `(await tracepoint("syscalls:sys_enter_getppid").events({ for: "${duration}" })).numRows()`;
