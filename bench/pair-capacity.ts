// The most 2 workers can gain over 1 on this machine, for the work a sweep hands them: a sweep's build job (one
// `edgeprune build` of the digits CNN, its fine-tunes in its own process as in a sweep's worker) run alone, then two
// copies of it at once. Two at once ending in T2 against T1 alone is a speed-up of 2·T1/T2 with perfect scheduling
// (issue 14's goal: 1.7x). Each copy is a fresh process, so it pays Node's start and V8's compilation of the build's
// code, which a sweep's kept workers pay once (since session 27): the figure is a floor for a sweep, not a ceiling.
// A fixed integer loop in Node, alone and two at once, shows what the cores give to work that touches no memory.
//
//   npx tsc -p . && node dist/bench/pair-capacity.js [--target stm32f405] [--precision float32] [--latency-ms 1]
//       [--rounds 2] [--keep <dir>]
//
// Each round runs the build alone, then the pair; the first build warms the object cache (its objects are then found
// by every later one, as in a sweep's later builds). Both copies of a pair must write the same model.c as the build
// alone.

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
/** The sweep bench's shortened search (bench/sweep.ts), fine-tunes in process as in a sweep's build job. */
const SWEEP_SEARCH = ['--max-iterations', '8', '--final-epochs', '3', '--verify-vectors', '100', '--workers', '0'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

interface Timed {
  wall: number;
  /** User + system CPU seconds of the process and its children. */
  cpu: number;
}

async function timed(command: string, args: string[], timeFile: string): Promise<Timed> {
  const started = performance.now();
  const r = await execa(...underTime(timeFile, command, args), { reject: false, timeout: 3600_000 });
  const wall = (performance.now() - started) / 1000;
  if (r.exitCode !== 0) throw new Error(`${path.basename(command)} ${args.slice(0, 3).join(' ')} … failed (exit ${r.exitCode}): ${String(r.stderr).split('\n').slice(-5).join('\n')}`);
  return { wall, cpu: cpuSeconds(timeFile) };
}

/** One or two copies of `run` at once: the wall time until the last ends, and the CPU of all. */
async function together(copies: number, run: (copy: number) => Promise<Timed>): Promise<Timed> {
  const started = performance.now();
  const each = await Promise.all(Array.from({ length: copies }, (_, i) => run(i)));
  return { wall: (performance.now() - started) / 1000, cpu: each.reduce((s, t) => s + t.cpu, 0) };
}

const SPIN = `let x = 1; for (let i = 0; i < 6e8; i++) x = (x * 1103515245 + 12345) | 0; if (x === 42) console.log(x);`;

function line(label: string, alone: Timed, pair: Timed): string {
  return `${label}: alone ${alone.wall.toFixed(1)} s wall (${(alone.cpu / alone.wall).toFixed(2)} cores), two at once ${pair.wall.toFixed(1)} s (${(pair.cpu / pair.wall).toFixed(2)} cores): 2 at once do ${((2 * alone.wall) / pair.wall).toFixed(2)}x the work of 1 per unit of time; CPU per copy ${(pair.cpu / 2 / alone.cpu).toFixed(2)}x alone's`;
}

async function main(): Promise<void> {
  const target = arg('--target', 'stm32f405');
  const precision = arg('--precision', 'float32');
  const latency = arg('--latency-ms', '1');
  const rounds = Number(arg('--rounds', '2'));
  const keep = arg('--keep', '');
  const dir = keep ? path.resolve(keep) : makeTempDir('bench-pair-capacity');
  fs.mkdirSync(dir, { recursive: true });
  try {
    console.log(`${os.availableParallelism()} cores; load average before: ${load()}`);
    const spin = (tag: string) => (copy: number) => timed(process.execPath, ['-e', SPIN], path.join(dir, `spin-${tag}-${copy}.time`));
    console.log(line('integer loop (no memory traffic)', await together(1, spin('alone')), await together(2, spin('pair'))));

    const flags = ['--data', DIGITS, '--target', target, '--precision', precision, '--latency-ms', latency, ...SWEEP_SEARCH];
    console.log(`build job: ${path.basename(CNN)} ${flags.slice(2).join(' ')}`);
    let n = 0;
    const build = (copy: number) => {
      const out = path.join(dir, `build-${n}-${copy}`);
      return timed(process.execPath, [BIN, 'build', CNN, ...flags, '--force', '--out', out], `${out}.time`).then((t) => ({ ...t, out }));
    };
    const modelC = (out: string) => fs.readFileSync(path.join(out, 'c', 'model.c'), 'utf8');
    const warm = await build(0);
    console.log(`warm-up build (fills the object cache): ${warm.wall.toFixed(1)} s wall, ${warm.cpu.toFixed(1)} CPU-s`);
    const reference = modelC(warm.out);
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      n++;
      const alone = await together(1, build);
      const aloneSame = modelC(path.join(dir, `build-${n}-0`)) === reference;
      n++;
      const pair = await together(2, build);
      const pairSame = [0, 1].every((c) => modelC(path.join(dir, `build-${n}-${c}`)) === reference);
      ratios.push((2 * alone.wall) / pair.wall);
      console.log(`${line(`round ${r + 1}, build job`, alone, pair)}; model.c as the warm-up's: ${aloneSame && pairSame ? 'yes' : 'NO'}; load average now: ${load()}`);
    }
    console.log(`the ceiling of 2 workers over 1 for these builds: ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x (issue 14's sweep goal: 1.7x)`);
    if (keep) console.log(`outputs kept in ${dir}`);
  } finally {
    if (!keep) removeTempDir(dir);
  }
}

await main();
