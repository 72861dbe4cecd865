// The job layer's speed-up: a partial calibration of one target (a --only subset that takes about a minute on one
// worker) on 1 and then on 2 local worker processes; prints both wall times, the speed-up, whether the two
// calibration files are byte-identical, and the machine's load average (the figure means little on a busy machine).
//
//   make build && node dist/bench/jobs-calibrate.js [--target stm32f405] [--only dense.,unary.,binary.] [--job-cases 8] [--workers 1,2]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { calibrateTarget } from '../src/cost/calibrate.js';
import { LocalRunner } from '../src/jobs/local-runner.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const target = findMcuTarget(arg('--target', 'stm32f405'));
  const only = arg('--only', 'dense.,unary.,binary.').split(',');
  const jobCases = Number(arg('--job-cases', '8'));
  const counts = arg('--workers', '1,2').split(',').map(Number);
  const dir = makeTempDir('bench-jobs');
  try {
    console.log(`calibrating ${target.name} --only ${only.join(',')} in jobs of ${jobCases} cases, on ${os.availableParallelism()} cores; load average before: ${load()}`);
    const times: number[] = [];
    const files: string[] = [];
    for (const workers of counts) {
      const file = path.join(dir, `w${workers}.json`);
      const started = performance.now();
      const run = await calibrateTarget(target, { only, file, jobCases, runner: new LocalRunner({ workers }) });
      times.push((performance.now() - started) / 1000);
      files.push(fs.readFileSync(file, 'utf8'));
      console.log(`${workers} worker${workers === 1 ? '' : 's'}: ${times[times.length - 1].toFixed(1)} s (${run.cases} cases); load average now: ${load()}`);
    }
    for (let i = 1; i < counts.length; i++) console.log(`speed-up ${counts[i]} vs ${counts[0]} workers: ${(times[0] / times[i]).toFixed(2)}x`);
    console.log(`calibration files byte-identical: ${files.every((f) => f === files[0]) ? 'yes' : 'NO'}`);
  } finally {
    removeTempDir(dir);
  }
}

await main();
