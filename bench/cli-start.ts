// Bench: the CPU time of starting the `edgeprune` command (`<command> --help`) from the bundle (bin/edgeprune.js →
// dist/bundle/) against tsc's modules (dist/src/cli/main.js), and of a pool worker that starts and ends.
//
//   npx tsc -p . && npx rolldown -c rolldown.config.mjs > /dev/null && node dist/bench/cli-start.js [--runs N] [--commands a,b]
//
// CPU (user + system of the finished children, from /proc/self/stat), not wall time: the figure holds on a loaded
// machine. The two builds run alternately, so that a change of load falls on both.

import fs from 'node:fs';
import { execa } from 'execa';
import { repoPath } from '../src/util/package-root.js';
import { isMain, table } from './kernels/bench-lib.js';

const BUNDLE = repoPath('bin', 'edgeprune.js');
const MODULES = repoPath('dist', 'src', 'cli', 'main.js');
const WORKER_BUNDLE = repoPath('dist', 'bundle', 'local-worker.js');
const WORKER_MODULES = repoPath('dist', 'src', 'jobs', 'local-worker-main.js');
const DEFAULT_COMMANDS = ['inspect', 'compile', 'verify', 'build', 'sweep', 'train'];
/** /proc reports CPU times in USER_HZ ticks, 100 a second on Linux. */
const TICKS_PER_SECOND = 100;

/** CPU seconds of this process's finished (waited for) children so far. */
function childrenCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5), cutime and cstime; `fields` starts at field 3.
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

/** CPU seconds of one run of `node <args>` (stdin closed: a worker ends at once). */
async function cpuOf(args: string[]): Promise<number> {
  const before = childrenCpuSeconds();
  const r = await execa(process.execPath, args, { reject: false, timeout: 120_000, stdin: 'ignore' });
  if (r.exitCode !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.exitCode}: ${String(r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
  return childrenCpuSeconds() - before;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(args: string[]): Promise<void> {
  if (!fs.existsSync('/proc/self/stat')) throw new Error('this bench reads /proc/self/stat (Linux)');
  for (const f of [BUNDLE, MODULES, WORKER_BUNDLE, WORKER_MODULES]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: build first (npm run build)`);
  const at = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const runs = Number(at('--runs') ?? 5);
  const commands = at('--commands')?.split(',') ?? DEFAULT_COMMANDS;
  const cases: [string, string[], string[]][] = [
    ...commands.map((c): [string, string[], string[]] => [`${c} --help`, [MODULES, c, '--help'], [BUNDLE, c, '--help']]),
    ['pool worker', [WORKER_MODULES], [WORKER_BUNDLE]],
  ];
  const rows: (string | number)[][] = [];
  for (const [name, modules, bundle] of cases) {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(await cpuOf(modules));
      b.push(await cpuOf(bundle));
    }
    rows.push([name, mean(a).toFixed(3), mean(b).toFixed(3), (mean(a) - mean(b)).toFixed(3)]);
  }
  console.log(`CPU seconds per start, mean of ${runs} runs each (user + system)`);
  console.log(table(['start', 'modules', 'bundle', 'saved'], rows));
}

if (isMain(import.meta.url)) await main(process.argv.slice(2));
