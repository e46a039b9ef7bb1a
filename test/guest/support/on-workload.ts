// Cells run against a workload this test starts (test/bpf/support/<name>.c),
// held until every probe of the run is attached and then run to its end
// inside the attach hook, so that every event happens while attached.
import { expect } from "vitest";
import { startHeld } from "../../bpf/support/workload.js";
import { cellPrinted } from "../../runtime/fixtures/real-runner.js";

/**
 * Runs `code(pid)` in a fresh session while `bin args` runs to its end;
 * returns what the cell printed as JSON, or { error } when the cell failed.
 */
export async function cellOnWorkload(bin: string, args: string[], code: (pid: number) => string): Promise<unknown> {
  const w = await startHeld(bin, args);
  try {
    return await cellPrinted(code(w.pid), { onAttached: async () => void expect(await w.go()).toBe(0) });
  } finally {
    w.dispose();
  }
}

/** Runs `fn` with PROBEBOOK_DENY_FEATURES set to `features`, as on a kernel without them. */
export async function withDenied<T>(features: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env.PROBEBOOK_DENY_FEATURES;
  process.env.PROBEBOOK_DENY_FEATURES = features;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.PROBEBOOK_DENY_FEATURES;
    else process.env.PROBEBOOK_DENY_FEATURES = before;
  }
}
