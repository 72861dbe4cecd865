// Test runner settings: every test under test/, in forked workers (native modules such as onnxruntime).
import fs from 'node:fs';
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/sequencer.js';

/**
 * Test files that share a worker's module cache (isolate: false) instead of a fresh process each, so the toolchain's
 * modules are imported once per worker: about 1 CPU-s saved per file (session 15, alternated runs of 47 light files moved
 * here: 85.2 and 91.1 CPU-s isolated, 31.5 and 24.7 shared; 12 of them: 29.4 and 28.7 vs 20.9 and 17.9). They run
 * in-process code (the interpreter, passes, importers, emitters, pruning, the cost model, quantization, the budget
 * search with its fine-tunes), start the CLI or a compiler child and wait for it, or drive gcc, QEMU, Verilator and
 * Yosys through hw-sim; any environment variable, spy or child of their own is restored or stopped in the file itself.
 * Their in-process training and onnxruntime runs are not slower shared (session 15, 8 files with the heaviest: 86.3 vs
 * 89.6 and 71.2 vs 76.9 CPU-s shared vs isolated), so the old "several-fold" slow-down no longer holds for them.
 */
const SHARED_FOLDERS = [
  'ops', 'ir', 'passes', 'onnx', 'data', 'util', 'analysis', 'report', 'import', 'prune', 'emit', 'verilog', 'hls',
  'targets', 'c-kernels', 'conformance', 'verify', 'build', 'levels', 'sweep', 'bench', 'setup', 'quant', 'cost',
  'models',
].map((d) => `test/${d}/**/*.test.ts`);

/**
 * Files that keep a process each: the ones that stop, kill or time child processes or signal their process group
 * (cli/fpga-verify-port stops its CLI with SIGSTOP, cli/verify-port-qemu kills its QEMU, security/cleanup sends
 * SIGINT/SIGTERM to a running command, hw-sim's board, guard, processes-mentioning and protocol tests, jobs'
 * local-pool and redis-queue SIGKILL workers mid-job); test/train/backend, which checks that no TF.js backend runs
 * before its first choice, forces the cpu backend (a process-wide choice) and checks the hint for a TF.js module that
 * is not loaded; and test/cli/calibrate-write-order, which replaces a module (vi.mock takes effect only on a module
 * cache of its own: in a shared worker the real module was loaded by an earlier file).
 */
const ISOLATED_FILES = [
  'test/cli/fpga-verify-port.test.ts', 'test/cli/verify-port-qemu.test.ts', 'test/security/cleanup.test.ts',
  'test/train/backend.test.ts', 'test/cli/calibrate-write-order.test.ts',
];

/**
 * Files of the isolated folders below that are safe to share: they only start the CLI (test/support/cli.ts) or hw-sim
 * helpers and wait for them, and restore any environment variable or spy they change. hw-sim's object-cache and
 * fpga-result-cache point XDG_CACHE_HOME at a folder they delete, after building (or finding) the process guard and
 * the janitor in the real cache (test/hw-sim/support.ts: their paths are remembered per process). test/train's other
 * files start the default backend (wasm), as the shared files that fine-tune do, and set their own seed. Sharing these
 * 11 files saves about 10 CPU-s (session 16, alternated runs of the 11: 39.7, 44.5 and 41.4 CPU-s shared against 53.4,
 * 47.9 and 56.1 isolated).
 */
const SHARED_FILES = [
  ...['cli', 'security', 'train'].flatMap((d) => testFilesIn(`test/${d}`)).filter((f) => !ISOLATED_FILES.includes(f)),
  'test/jobs/spec.test.ts', 'test/jobs/resumable.test.ts',
  'test/hw-sim/flash.test.ts', 'test/hw-sim/host.test.ts', 'test/hw-sim/qemu.test.ts',
  'test/hw-sim/object-cache.test.ts', 'test/hw-sim/fpga-result-cache.test.ts', 'test/hw-sim/both-builds.test.ts',
];

const SHARED = [...SHARED_FOLDERS, ...SHARED_FILES];

/** The test files directly in a folder, as paths from the repository's root. */
function testFilesIn(dir: string): string[] {
  return fs.readdirSync(new URL(`./${dir}/`, import.meta.url)).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `${dir}/${f}`);
}

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
