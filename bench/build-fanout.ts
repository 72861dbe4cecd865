// Issue 14's build goal: the `make demo` build (digits CNN, stm32f405, --latency-ms 0.5 --ram-kb 5) with its candidate
// fine-tunes in this process alone (`--workers 0`), side by side with one local worker (the default on 2 or more cores),
// and on 1 and on 2 local workers (`build --workers N`); prints each wall time and where it
// went (before the search: load + dense measurement; the search's iterations; the final fine-tune; after: verification
// and compilation), the CPU time of the build and its workers, the speed-up of 2 workers over 1 (goal 1.6x), whether
// report.json's search trajectory and c/model.c are identical, and the load average (a busy machine skews it all).
// A run named more than once (--runs 1,2,1,2,1,2) is compared pair by pair, k-th with k-th, and by the medians: on this
// machine the same build's wall time varies by a fifth from one run to the next.
//
//   npx tsc -p . && node dist/bench/build-fanout.js [--runs 0,default,1,2] [--keep <dir>]

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
const DEMO = ['--data', DIGITS, '--latency-ms', '0.5', '--ram-kb', '5'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** How a run of `--runs` is named in the printout. */
function runLabel(name: string): string {
  if (name === '0') return 'in process alone (--workers 0)';
  if (name === 'default') return 'side by side (the default: this process and one local worker)';
  return `${name} worker${name === '1' ? '' : 's'}`;
}

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

interface Run {
  name: string;
  wall: number;
  /** User + system CPU seconds of the build and its (waited-for) workers, from /usr/bin/time. */
  cpu: number | null;
  /** Seconds: before the search, the search's iterations, the rest of the search (the final fine-tune), after it. */
  phases: { before: number; iterations: number; final: number; after: number };
  trajectory: string;
  modelC: string;
}

/** When each progress line of the build arrived (seconds from the start). */
function timeLines(stderr: NodeJS.ReadableStream | null, started: number): { text: string; at: number }[] {
  const lines: { text: string; at: number }[] = [];
  let rest = '';
  stderr?.on('data', (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    const parts = rest.split('\n');
    rest = parts.pop() ?? '';
    for (const text of parts) lines.push({ text, at: (performance.now() - started) / 1000 });
  });
  return lines;
}

async function build(name: string, flags: string[], out: string): Promise<Run> {
  const started = performance.now();
  const timeFile = `${out}.time`;
  const child = execa(...underTime(timeFile, process.execPath, [BIN, 'build', CNN, ...DEMO, ...flags, '--force', '--out', out]), { reject: false, timeout: 3600_000 });
  const lines = timeLines(child.stderr, started);
  const r = await child;
  const wall = (performance.now() - started) / 1000;
  if (r.exitCode !== 0) throw new Error(`the build (${name}) failed (exit ${r.exitCode}): ${String(r.stderr).split('\n').slice(-5).join('\n')}`);
  const at = (re: RegExp) => lines.find((l) => re.test(l.text))?.at ?? NaN;
  const searchStart = at(/^searching under the budgets/);
  const searchEnd = at(/^verifying the pruned/);
  const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as { steps: { seconds: number }[] };
  const iterations = report.steps.reduce((s, it) => s + it.seconds, 0);
  const trajectory = JSON.stringify(report.steps.map(({ seconds: _seconds, ...it }) => it));
  const cpu = cpuSeconds(timeFile);
  return {
    name, wall, cpu: Number.isFinite(cpu) ? cpu : null,
    phases: { before: searchStart, iterations, final: searchEnd - searchStart - iterations, after: wall - searchEnd },
    trajectory, modelC: fs.readFileSync(path.join(out, 'c', 'model.c'), 'utf8'),
  };
}

async function main(): Promise<void> {
  const runs = arg('--runs', '0,default,1,2').split(',');
  const keep = arg('--keep', '');
  const dir = keep ? path.resolve(keep) : makeTempDir('bench-build-fanout');
  fs.mkdirSync(dir, { recursive: true });
  try {
    console.log(`make-demo build: ${path.basename(CNN)} ${DEMO.slice(2).join(' ')}; ${os.availableParallelism()} cores; load average before: ${load()}`);
    const done: Run[] = [];
    for (const name of runs) {
      const flags = name === 'default' ? [] : ['--workers', name];
      const r = await build(name, flags, path.join(dir, name === 'default' ? 'default' : `w${name}`));
      done.push(r);
      const p = r.phases;
      console.log(`${runLabel(name)}: ${r.wall.toFixed(1)} s wall, ${r.cpu?.toFixed(1) ?? '?'} s CPU (build + workers) · before the search ${p.before.toFixed(1)} s, iterations ${p.iterations.toFixed(1)} s, final fine-tune ${p.final.toFixed(1)} s, verification + compilation ${p.after.toFixed(1)} s · load average now: ${load()}`);
    }
    const named = (name: string) => done.filter((r) => r.name === name);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    /** `faster` against `slower`: the k-th run of each paired (a busy moment skews one pair, not all), and the medians. */
    const compare = (label: string, slower: Run[], faster: Run[]) => {
      const pairs = Math.min(slower.length, faster.length);
      if (pairs === 0) return;
      const each = Array.from({ length: pairs }, (_, k) => `${(slower[k].wall / faster[k].wall).toFixed(2)}x`).join(', ');
      const m = (rs: Run[], f: (r: Run) => number) => median(rs.map(f));
      const wall = (r: Run) => r.wall;
      const search = (r: Run) => r.phases.iterations + r.phases.final;
      const iterations = (r: Run) => r.phases.iterations;
      console.log(`${label}: ${each} pair by pair; medians ${m(slower, wall).toFixed(1)} s against ${m(faster, wall).toFixed(1)} s: ${(m(slower, wall) / m(faster, wall)).toFixed(2)}x the whole build (goal 1.6x), ${(m(slower, search) / m(faster, search)).toFixed(2)}x the search, ${(m(slower, iterations) / m(faster, iterations)).toFixed(2)}x its iterations`);
    };
    compare('speed-up of 2 workers over 1', named('1'), named('2'));
    compare('2 workers against in process alone', named('0'), named('2'));
    compare('side by side against in process alone', named('0'), named('default'));
    console.log(`search trajectory (report.json steps, without their seconds) identical: ${done.every((r) => r.trajectory === done[0].trajectory) ? 'yes' : 'NO'}`);
    console.log(`c/model.c identical: ${done.every((r) => r.modelC === done[0].modelC) ? 'yes' : 'NO'}`);
    if (keep) console.log(`outputs kept in ${dir}`);
  } finally {
    if (!keep) removeTempDir(dir);
  }
}

await main();
