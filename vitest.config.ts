// Test runner settings: every test under test/, in forked workers (native modules such as onnxruntime).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Two files at a time even on 2 cores (vitest's default there is one): most tests wait on gcc, QEMU or
    // a CLI child, and the suites are written to hold on a loaded machine.
    maxWorkers: 2,
    // Hang guards, not speed goals (those are benches under bench/): long enough for a loaded machine.
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
