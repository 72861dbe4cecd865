// Issue 14's fault goal for sweeps: `edgeprune sweep --queue` served by two `edgeprune worker` processes, one of them
// killed with SIGKILL at a random moment while it runs a job; the sweep must complete with every combination (the
// job the worker held runs again on the other one), and its sweep.json must equal a local 2-worker sweep's apart
// from the wall times. Prints the kill (when, which job the worker held), the jobs each worker ran, and the verdict.
//
//   npx tsc -p . && node dist/bench/sweep-redis.js [--subset stm32f405,lm3s6965] [--precision float32]
//       [--latency-ms 1,2] [--kill-seed 1] [--lock-ms 30000] [--keep <dir>] [-- <more sweep flags>]
//
// --lock-ms is the workers' (default 30,000, theirs). Before the workers ran their jobs in job processes of their own,
// a build kept the worker's event loop busy past a 5,000 lock and BullMQ took its job for stalled and failed it; the
// lock now renews while the job computes, and a shorter one only returns a killed worker's job sooner. The search is shortened (--max-iterations 4, --final-epochs 2, --verify-vectors 50) unless flags after `--` say
// otherwise. The kill comes once both workers have started a job, after a delay drawn (from --kill-seed) between 0 and
// an eighth of the local run's time, on a worker that holds a job then (one killed between jobs would prove nothing).

import fs from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { startRedisServer } from '../hw-sim/redis/server.js';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';

const BIN = repoPath('bin', 'edgeprune.js');
const CNN = repoPath('examples', 'models', 'digits-cnn.onnx');
const DIGITS = repoPath('examples', 'digits', 'digits.csv.gz');
const SHORT_SEARCH = ['--max-iterations', '4', '--final-epochs', '2', '--verify-vectors', '50'];

const own = process.argv.indexOf('--') >= 0 ? process.argv.slice(0, process.argv.indexOf('--')) : process.argv;
function arg(name: string, fallback: string): string {
  const i = own.indexOf(name);
  return i >= 0 && i + 1 < own.length ? own[i + 1] : fallback;
}

/** sweep.json without its wall times (top level and per combination). */
function comparable(file: string): string {
  return JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')), (key, v) => (key === 'wallSeconds' ? undefined : v));
}

/** A seeded uniform draw in [0, 1) (mulberry32). */
function draw(seed: number): number {
  let t = (seed + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A worker process and the job it holds now (from its log lines: "job <id> (<kind>), attempt n" … "job <id> done"). */
interface Watched {
  process: ResultPromise;
  log: string[];
  holding: string | null;
  started: number;
}

function watch(p: ResultPromise): Watched {
  const w: Watched = { process: p, log: [], holding: null, started: 0 };
  p.stderr?.on('data', (chunk: Buffer) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      w.log.push(line);
      const start = /^job (\S+) \(/.exec(line);
      if (start) { w.holding = start[1]; w.started++; }
      if (/^job \S+ (done|failed)/.test(line)) w.holding = null;
    }
  });
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dash = process.argv.indexOf('--');
  const extra = dash >= 0 ? process.argv.slice(dash + 1) : SHORT_SEARCH;
  const flags = ['--data', DIGITS, '--targets', arg('--subset', 'stm32f405,lm3s6965'), '--precision', arg('--precision', 'float32'), '--latency-ms', arg('--latency-ms', '1,2'), ...extra];
  const killSeed = Number(arg('--kill-seed', '1'));
  const lockMs = arg('--lock-ms', '30000');
  const keep = arg('--keep', '');
  const dir = keep ? path.resolve(keep) : makeTempDir('bench-sweep-redis');
  fs.mkdirSync(dir, { recursive: true });
  const server = await startRedisServer();
  const workers: Watched[] = [];
  try {
    console.log(`sweep of ${path.basename(CNN)}: ${flags.slice(2).join(' ')}`);
    let started = performance.now();
    const local = await execa(process.execPath, [BIN, 'sweep', CNN, ...flags, '--workers', '2', '--force', '--out', path.join(dir, 'local')], { reject: false, timeout: 3 * 3600_000 });
    if (local.exitCode !== 0) throw new Error(`local sweep failed (exit ${local.exitCode}): ${String(local.stderr).split('\n').slice(-5).join('\n')}`);
    const localSeconds = (performance.now() - started) / 1000;
    console.log(`local, 2 workers: ${localSeconds.toFixed(1)} s`);

    for (let i = 0; i < 2; i++) workers.push(watch(execa(process.execPath, [BIN, 'worker', '--queue', server.url, '--lock-ms', lockMs], { reject: false, stdin: 'ignore', timeout: 3 * 3600_000 })));
    started = performance.now();
    const sweep = execa(process.execPath, [BIN, 'sweep', CNN, ...flags, '--queue', server.url, '--force', '--out', path.join(dir, 'redis')], { reject: false, timeout: 3 * 3600_000 });
    let sweepDone = false;
    void sweep.finally(() => { sweepDone = true; });
    // Wait until both workers hold a job, then the seeded delay, then kill one that holds a job.
    while (!sweepDone && !workers.every((w) => w.holding)) await sleep(100);
    const delayMs = draw(killSeed) * (localSeconds * 1000) / 8;
    await sleep(delayMs);
    while (!sweepDone && !workers.some((w) => w.holding)) await sleep(100);
    const victimIndex = workers[killSeed % 2].holding ? killSeed % 2 : 1 - (killSeed % 2);
    const victim = workers[victimIndex];
    const held = victim.holding;
    if (sweepDone || !held) throw new Error('the sweep ended before a worker could be killed mid-job: give it more combinations');
    victim.process.kill('SIGKILL');
    console.log(`killed worker ${victimIndex + 1} with SIGKILL ${((performance.now() - started) / 1000).toFixed(1)} s into the sweep, holding job ${held}`);
    const r = await sweep;
    const seconds = (performance.now() - started) / 1000;
    const survivor = workers[1 - victimIndex];
    const rerun = survivor.log.some((l) => l.startsWith(`job ${held} (`));
    console.log(`redis, 2 workers (one killed): exit ${r.exitCode}, ${seconds.toFixed(1)} s`);
    for (const line of String(r.stdout).split('\n')) if (line.trim()) console.log(`  ${line}`);
    console.log(`job ${held} ran again on the surviving worker: ${rerun ? 'yes' : 'NO'}`);
    workers.forEach((w, i) => console.log(`worker ${i + 1}: ${w.started} job(s) started${i === victimIndex ? ' (killed)' : ''}`));
    const same = r.exitCode === 0 && comparable(path.join(dir, 'local', 'sweep.json')) === comparable(path.join(dir, 'redis', 'sweep.json'));
    const combos = r.exitCode === 0 ? (JSON.parse(fs.readFileSync(path.join(dir, 'redis', 'sweep.json'), 'utf8')) as { combinations: { status: string }[] }).combinations : [];
    console.log(`combinations: ${combos.length}, failed: ${combos.filter((c) => c.status === 'failed').length}`);
    console.log(`sweep.json identical to the local run's apart from wall times: ${same ? 'yes' : 'NO'}`);
    if (!same || !rerun) process.exitCode = 1;
  } finally {
    for (const w of workers) w.process.kill('SIGKILL');
    await Promise.allSettled(workers.map((w) => w.process));
    await server.stop();
    if (!keep) removeTempDir(dir);
  }
}

await main();
