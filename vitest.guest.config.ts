import { defineConfig } from "vitest/config";

// The suite that runs inside the qemu guest (scripts/guest/test-kernels.mjs):
// test/guest/, plus host suites that hold on any kernel with the features they
// use. The host's config (vitest.config.ts) leaves test/guest/ out: its tests
// need kprobes and trampolines, which this host's kernel lacks.
export default defineConfig({
  test: {
    include: [
      "test/guest/**/*.test.ts",
      // Host suites that hold on any kernel, chosen for what 6.1 does differently:
      // TCP on tp_btf (its verifier), function aggregations (where the host only
      // refuses kprobes, the guest counts), uprobe latency pairs, tracepoint event
      // streams and perf-event profiles. Each costs about a minute here; the rest
      // stay on the host (time, and host-only expectations such as uprobe-events'
      // "kprobes are not available" messages).
      "test/runtime/runs/tcp-events.test.ts",
      "test/runtime/runs/function-aggregates.test.ts",
      "test/runtime/probes-uprobe-latency.test.ts",
      "test/runtime/runs/run-events.test.ts",
      "test/runtime/runs/profile.test.ts",
    ],
    fileParallelism: false,
    // Everything in the guest runs 12-30x slower than on the host (TCG).
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
