import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // test/guest/ runs inside the qemu guest (vitest.guest.config.ts, npm run test:kernels).
    exclude: ["test/guest/**", "**/node_modules/**"],
    // Test files share one kernel: BPF programs, tracefs and the "nothing left
    // attached" checks must not interleave, so files run one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
