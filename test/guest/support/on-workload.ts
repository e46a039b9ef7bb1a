// Runs a guest test "as on a kernel without" some features: the cells
// themselves run on workloads through cellOnWorkload (runtime/fixtures).
export { cellOnWorkload } from "../../runtime/fixtures/real-runner.js";

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
