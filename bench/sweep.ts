// Issue 14's sweep goal: `edgeprune sweep` of the digits CNN (examples/models/digits-cnn.onnx, what `edgeprune train
// --arch cnn --seed 0` writes) over the 7 MCU targets × 3 latency budgets × 2 precisions, on 1 and then on 2 local
// workers; prints both wall times and CPU times (the sweep with its workers, compilers and emulators: on 2 cores the
// 2-worker run cannot take less than half its CPU time), the speed-up (goal: at least 1.7x on 2 cores), whether the
// two sweep.json files are identical apart from the wall times, and the machine's load average (the figure means
// little on a busy machine).
//
//   npx tsc -p . && node dist/bench/sweep.js [--subset stm32f405,lm3s6965] [--precision float32,int8]
//       [--latency-ms 0.5,1,2] [--workers 1,2] [--warm-up] [--keep <dir>] [-- <more sweep flags>]
//
// --warm-up runs the sweep once first (on the most workers) and leaves it out of the comparison: without it the first
// run compiles the objects the later ones find in the object cache (~/.cache/edgeprune/objects).
//
// --subset takes targets (default: all), --precision precisions (default: both): a subset runs in minutes. The search
// is shortened (--max-iterations 8, --final-epochs 3, --verify-vectors 100) unless flags after `--` say otherwise.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';
import { cpuSeconds, underTime } from './support/cpu-time.js';

const BIN = repoPath('bin', 'edgeprune.js');
const CNN = repoPath('examples', 'models', 'digits-cnn.onnx');
const DIGITS = repoPath('examples', 'digits', 'digits.csv.gz');
const SHORT_SEARCH = ['--max-iterations', '8', '--final-epochs', '3', '--verify-vectors', '100'];

/** The bench's own arguments: those before `--` (after it come sweep flags). */
const own = process.argv.indexOf('--') >= 0 ? process.argv.slice(0, process.argv.indexOf('--')) : process.argv;

function arg(name: string, fallback: string): string {
  const i = own.indexOf(name);
  return i >= 0 && i + 1 < own.length ? own[i + 1] : fallback;
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/** sweep.json without its wall times: what must be identical however the jobs ran. */
function comparable(file: string): string {
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as { wallSeconds?: unknown };
  delete r.wallSeconds;
  return JSON.stringify(r);
}

async function main(): Promise<void> {
  const dash = process.argv.indexOf('--');
  const extra = dash >= 0 ? process.argv.slice(dash + 1) : SHORT_SEARCH;
  const targets = arg('--subset', 'all');
  const precisions = arg('--precision', 'float32,int8');
  const latencies = arg('--latency-ms', '0.5,1,2');
  const counts = arg('--workers', '1,2').split(',').map(Number);
  const keep = arg('--keep', '');
  const dir = keep ? path.resolve(keep) : makeTempDir('bench-sweep');
  fs.mkdirSync(dir, { recursive: true });
  try {
    const flags = ['--data', DIGITS, '--targets', targets, '--precision', precisions, '--latency-ms', latencies, ...extra];
    console.log(`sweep of ${path.basename(CNN)}: ${flags.slice(2).join(' ')}; ${os.availableParallelism()} cores; load average before: ${load()}`);
    const times: number[] = [];
    const files: string[] = [];
    // --warm-up: a first sweep on the most workers, not compared, fills the object cache (every model library and
    // harness object these builds compile), so that the compared runs find the same objects whichever runs first.
    const runs = own.includes('--warm-up') ? [{ workers: Math.max(...counts), warmUp: true }, ...counts.map((workers) => ({ workers, warmUp: false }))] : counts.map((workers) => ({ workers, warmUp: false }));
    for (const { workers, warmUp } of runs) {
      const out = path.join(dir, warmUp ? 'warm-up' : `w${workers}`);
      const started = performance.now();
      const timeFile = `${out}.time`;
      const r = await execa(...underTime(timeFile, process.execPath, [BIN, 'sweep', CNN, ...flags, '--workers', String(workers), '--force', '--out', out]), { reject: false, timeout: 6 * 3600_000 });
      const seconds = (performance.now() - started) / 1000;
      if (r.exitCode !== 0) throw new Error(`edgeprune sweep with ${workers} workers failed (exit ${r.exitCode}): ${String(r.stderr).split('\n').slice(-5).join('\n')}`);
      files.push(comparable(path.join(out, 'sweep.json')));
      if (!warmUp) times.push(seconds);
      // User + system CPU of the sweep and its (waited-for) workers and their compilers and emulators.
      const cpu = cpuSeconds(timeFile);
      console.log(`${warmUp ? 'warm-up, ' : ''}${workers} worker${workers === 1 ? '' : 's'}: ${seconds.toFixed(1)} s wall, ${Number.isFinite(cpu) ? cpu.toFixed(1) : '?'} s CPU (${Number.isFinite(cpu) ? (cpu / seconds).toFixed(2) : '?'} cores busy on average); load average now: ${load()}`);
      for (const line of String(r.stdout).split('\n')) if (line.trim()) console.log(`  ${line}`);
    }
    // Every run on more workers against every run on the fewest (--workers 2,1,2: both 2-worker runs against the 1-worker one).
    const fewest = Math.min(...counts);
    const label = (i: number) => `${counts[i]} worker${counts[i] === 1 ? '' : 's'} (run ${i + 1}, ${times[i].toFixed(1)} s)`;
    for (let i = 0; i < counts.length; i++) {
      for (let j = 0; j < counts.length; j++) {
        if (counts[i] > fewest && counts[j] === fewest) console.log(`speed-up of ${label(i)} over ${label(j)}: ${(times[j] / times[i]).toFixed(2)}x (goal with 2 vs 1: 1.7x)`);
      }
    }
    console.log(`sweep.json identical apart from wall times: ${files.every((f) => f === files[0]) ? 'yes' : 'NO'}`);
    if (keep) console.log(`outputs kept in ${dir}`);
  } finally {
    if (!keep) removeTempDir(dir);
  }
}

await main();
