// Before any test: compile and bundle the TypeScript (CLI tests run the built `edgeprune` command) and give the run
// its own temporary folder (once for every test project); after the last test, fail the run if an edgeprune
// folder was left behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

/** The run's cache of FPGA tool results, a folder of the run's own. */
const FPGA_CACHE = 'fpga-cache';

export default async function setup(): Promise<() => void> {
  // Each test project (vitest.config.ts) runs the global setup, all in this process: the first call does the work and
  // tears down at the end; the later ones use its folder.
  if (process.env.EDGEPRUNE_TEST_RUN_TMP) return () => {};
  // `make test` has just compiled it (and says so in EDGEPRUNE_DIST_BUILT); a bare `npx vitest` compiles it here.
  if (process.env.EDGEPRUNE_DIST_BUILT !== '1') {
    await execa('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit', timeout: 300_000 });
    // The command and the pool workers run the bundle (rolldown lists every chunk on stdout: only its errors show).
    await execa('npx', ['rolldown', '-c', 'rolldown.config.mjs'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  }
  // Workers and every process they start inherit TMPDIR, so os.tmpdir() is this folder for the whole run.
  const runTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeprune-test-run-'));
  // Searchable by others (not listable), as /tmp is: tests that drop privileges reach their own folders in it.
  fs.chmodSync(runTmp, 0o711);
  process.env.TMPDIR = runTmp;
  process.env.EDGEPRUNE_TEST_RUN_TMP = runTmp;
  // FPGA tool results (hw-sim/fpga/result-cache.ts) are kept for this run only, never in the per-user cache: every
  // distinct design is synthesized (and placed) once per run, its repeats in later tests are lookups.
  process.env.EDGEPRUNE_FPGA_CACHE_DIR = path.join(runTmp, FPGA_CACHE);
  // onnxruntime-node (the reference of test/support/ort.ts) without its telemetry in every worker and child, whatever
  // they import first (bench/support/onnxruntime-no-telemetry.ts).
  process.env.ORT_DISABLE_TELEMETRY = '1';
  return () => {
    const left = fs.readdirSync(runTmp);
    fs.rmSync(runTmp, { recursive: true, force: true });
    const ours = left.filter((name) => name.startsWith('edgeprune-'));
    const others = left.filter((name) => !name.startsWith('edgeprune-') && name !== FPGA_CACHE);
    if (others.length) console.warn(`note: tools left ${others.length} temporary file(s), removed: ${others.slice(0, 5).join(', ')}`);
    if (ours.length) {
      // vitest reports an error thrown here but still exits 0: set the exit status ourselves.
      console.error(`error: tests left ${ours.length} temporary folder(s) behind (each test must remove what it makes): ${ours.join(', ')}`);
      process.exitCode = 1;
    }
  };
}
