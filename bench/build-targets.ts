// `edgeprune build` on every target: the bundled digits CNN under half its dense instruction count and a RAM budget
// 1 KiB below its dense arena, as issue 5's done-when asks for the STM32F405; prints one row per target.
//
//   npx tsc -p . && node dist/bench/build-targets.js [--targets a,b]
//
// Each row: the dense model measured in the target's emulator, the budgets, what the built firmware measured, the
// cost model's estimate, the test accuracy drop, the wall time, and whether every budget held.

import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { listMcuTargets } from '../src/targets/load-targets.js';
import { repoPath } from '../src/util/package-root.js';
import { isMain, missingTools, table } from './kernels/bench-lib.js';
import { makeTempDir } from '../src/util/temp-dir.js';

const BIN = repoPath('bin', 'edgeprune.js');
const MODEL = repoPath('examples', 'models', 'digits-cnn.onnx');
const DATA = repoPath('examples', 'digits', 'digits.csv.gz');

async function cli(args: string[]): Promise<{ exitCode: number; json: Record<string, any> }> {
  const r = await execa(process.execPath, [BIN, ...args, '--json'], { reject: false, timeout: 600_000 });
  if (r.exitCode !== 0 && r.exitCode !== 3) throw new Error(`edgeprune ${args[0]} failed (exit ${r.exitCode}): ${String(r.stderr).split('\n').slice(-3).join(' ')}`);
  return { exitCode: r.exitCode ?? -1, json: JSON.parse(String(r.stdout)) };
}

async function main(): Promise<void> {
  const missing = await missingTools();
  if (missing.length > 0) throw new Error(`missing tools: ${missing.join(', ')} (run make setup as root)`);
  const at = process.argv.indexOf('--targets');
  const names = at > 0 ? process.argv[at + 1].split(',') : listMcuTargets().map((t) => t.name);
  const work = makeTempDir('build-bench');
  const rows: (string | number)[][] = [];
  try {
    for (const name of names) {
      const dense = (await cli(['verify', MODEL, '--target', name, '--vectors', '1'])).json;
      const maxInstructions = Math.floor(dense.instructions / 2);
      const ramKb = (dense.arenaBytes - 1024) / 1024;
      const started = performance.now();
      // float32 everywhere: the dense figure above is the float model's (build's default on the FPU-less lm3s6965 is int8).
      const { exitCode, json: r } = await cli(['build', MODEL, '--target', name, '--precision', 'float32', '--data', DATA, '--max-instructions', String(maxInstructions), '--ram-kb', String(ramKb), '--out', path.join(work, name)]);
      const seconds = (performance.now() - started) / 1000;
      const [instr, ram] = r.budgets;
      rows.push([
        name, dense.instructions, instr.limit, instr.estimated, instr.measured, `${dense.arenaBytes} → ${ram.limit}`, ram.measured,
        `${(r.accuracy.dropPoints as number).toFixed(2)}`, seconds.toFixed(0), exitCode === 0 && r.passed ? 'met' : `NOT MET (${r.failed.join('; ')})`,
      ]);
      console.error(`${name}: done in ${seconds.toFixed(0)} s`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log('edgeprune build, digits CNN: half the dense instructions, RAM 1 KiB below the dense arena (measured in QEMU)\n');
  console.log(table(['target', 'dense instr.', 'limit', 'estimated', 'measured', 'arena → RAM limit (B)', 'RAM measured', 'drop (pts)', 'time (s)', 'budgets'], rows));
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
