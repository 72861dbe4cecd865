// Test runner settings: every test under test/, in forked workers (native modules such as onnxruntime).
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/sequencer.js';

/**
 * Folders whose tests run in-process code (the interpreter, passes, importers, emitters, pruning; a few start a CLI or
 * compiler child) or drive gcc, QEMU, Verilator and Yosys through hw-sim without touching the process (no signals,
 * environment, stdio or timers of their own): their files share a worker's module cache instead of a fresh process
 * each, so the toolchain's modules are imported once per worker (72 files: 124 s → 68 s on the loaded 2-core machine).
 * Every other folder keeps a process per file: the CLI and hw-sim tests that kill, stop or time child processes or
 * replace stdio, and test/train, test/quant and test/cost, whose training and onnxruntime runs slow down several-fold
 * in a shared process (and one checks the hint for a TF.js module that is not loaded).
 */
const SHARED = ['ops', 'ir', 'passes', 'onnx', 'data', 'util', 'analysis', 'report', 'import', 'prune', 'emit', 'verilog', 'hls', 'targets', 'c-kernels', 'conformance', 'verify'].map(
  (d) => `test/${d}/**/*.test.ts`,
);

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Two files at a time even on 2 cores (vitest's default there is one): most tests wait on gcc, QEMU or
    // a CLI child, and the suites are written to hold on a loaded machine.
    maxWorkers: 2,
    // The slowest files first, also on a fresh clone without vitest's cache of durations (test/sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    // Hang guards, not speed goals (those are benches under bench/): long enough for a loaded machine (at a load
    // average of about 20 on the 2 cores, fpga-verify's place and route of the iCE40 board top took over 300 s).
    testTimeout: 600_000,
    hookTimeout: 600_000,
    projects: [
      { extends: true, test: { name: 'shared', include: SHARED, isolate: false } },
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: SHARED } },
    ],
  },
});
