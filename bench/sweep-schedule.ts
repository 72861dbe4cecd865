// The order a sweep hands its builds to the workers, simulated from a finished sweep's per-job wall times: runSweep's own
// code (the chains of waves, the reuse, the slots) on a runner that "runs" each build for the wall time its job took in
// the recorded sweep, on a virtual clock, once with the builds first come first served and once longest expected chain
// first (src/sweep/chain-order.ts); prints each makespan (the sum of job times over the slots is its lower bound) and
// when each slot's last job ended. The jobs' outside costs (the sweep's shared work, worker starts) are not simulated.
//
//   npx tsc -p . && node dist/bench/sweep-schedule.js <sweep output folder> [--slots 2] [--targets a,b,…]
//       [--model m.onnx] [--data d]
//
// --targets replays some of the sweep's targets, in that order (the order the chains ask for workers; default: the
// sweep's).
//
// The folder is one `edgeprune sweep` (or `node dist/bench/sweep.js --keep <dir>`) wrote: its sweep.json names each
// build's job, its jobs/<id>.json hold the results and wall times. --model and --data (default: the digits CNN and
// the digits data, what bench/sweep.ts sweeps) must be the sweep's: they give the cost model's predictions.

import fs from 'node:fs';
import path from 'node:path';
import type { JobOutcome, JobRunner, RunJobsOptions } from '../src/jobs/runner.js';
import type { JobSpec, Json } from '../src/jobs/spec.js';
import { budgetGrid } from '../src/sweep/combinations.js';
import type { SweepSchedule } from '../src/sweep/chain-order.js';
import { runSweep } from '../src/sweep/run-sweep.js';
import type { SweepBuildPayload } from '../src/sweep/sweep-build-kind.js';
import type { SweepReport } from '../src/sweep/sweep-report.js';
import { findMcuTarget } from '../src/targets/load-targets.js';
import { repoPath } from '../src/util/package-root.js';
import { makeTempDir, removeTempDir } from '../src/util/temp-dir.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** Timers on a virtual clock: the clock jumps to the next one once everything else has settled. */
class VirtualClock {
  now = 0;
  private timers: { at: number; order: number; fire: () => void }[] = [];
  private count = 0;

  sleep(seconds: number): Promise<void> {
    return new Promise((fire) => this.timers.push({ at: this.now + seconds, order: this.count++, fire }));
  }

  /** Advance the clock until `done` settles. */
  async run<T>(done: Promise<T>): Promise<T> {
    let finished = false;
    void done.then(() => (finished = true), () => (finished = true));
    for (;;) {
      // Every continuation of what just ended (synchronous work, microtasks, the slots' hand-over turn) runs first.
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      if (finished) return done;
      if (this.timers.length === 0) throw new Error('the simulated sweep waits on nothing');
      this.timers.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.timers.shift()!;
      this.now = next.at;
      next.fire();
    }
  }
}

/** Runs each build for the wall time its job took in the recorded sweep, on the virtual clock, `slots` at a time. */
class ReplayRunner implements JobRunner {
  readonly description: string;
  readonly ends: number[] = [];
  private running = 0;
  most = 0;

  constructor(
    readonly slots: number,
    private readonly clock: VirtualClock,
    private readonly recorded: Map<string, Json>,
  ) {
    this.description = `${slots} simulated slots`;
  }

  async run(jobs: JobSpec[], options: RunJobsOptions = {}): Promise<JobOutcome[]> {
    const out: JobOutcome[] = [];
    for (const job of jobs) {
      const name = (job.payload as unknown as SweepBuildPayload).name;
      const result = this.recorded.get(name);
      if (!result) throw new Error(`the recorded sweep did not build ${name}: was it swept with the same model, data and flags?`);
      this.running++;
      this.most = Math.max(this.most, this.running);
      await this.clock.sleep((result as { wallSeconds: number }).wallSeconds);
      this.running--;
      this.ends.push(this.clock.now);
      const o: JobOutcome = { id: job.id, kind: job.kind, ok: true, result: { ...(result as object), files: {} } as Json };
      out.push(o);
      options.onSettled?.(o, out.length, jobs.length);
    }
    return out;
  }

  async close(): Promise<void> {}
}

async function main(): Promise<void> {
  const folder = process.argv[2];
  if (!folder || folder.startsWith('--')) throw new Error('give the output folder of a finished sweep');
  const slots = Number(arg('--slots', '2'));
  const model = arg('--model', repoPath('examples', 'models', 'digits-cnn.onnx'));
  const data = arg('--data', repoPath('examples', 'digits', 'digits.csv.gz'));
  const report = JSON.parse(fs.readFileSync(path.join(folder, 'sweep.json'), 'utf8')) as SweepReport & { wallSeconds: Record<string, number> };
  // The recorded results by combination name (the replayed jobs' ids need not match: flags left at their defaults).
  const recorded = new Map<string, Json>();
  for (const c of report.combinations) {
    if (c.status !== 'built' || !c.job) continue;
    const kept = JSON.parse(fs.readFileSync(path.join(folder, 'jobs', `${c.job}.json`), 'utf8')) as { result: Json };
    recorded.set(c.name, kept.result);
  }
  const budgets = [...new Set(report.combinations.map((c) => JSON.stringify(c.budget)))].map((b) => JSON.parse(b) as Record<string, number>);
  const lists = Object.fromEntries(['latencyMs', 'maxInstructions', 'ramKb', 'flashKb'].map((k) => [k, [...new Set(budgets.map((b) => b[k]).filter((v) => v !== undefined))]]));
  const precisions = [...new Set(report.combinations.map((c) => c.precision))];
  const targets = arg('--targets', report.targets.join(',')).split(',');
  for (const [name] of [...recorded]) if (!targets.some((t) => name.startsWith(`${t}-`))) recorded.delete(name);
  const total = [...recorded.values()].reduce<number>((s, r) => s + (r as { wallSeconds: number }).wallSeconds, 0);
  console.log(`${targets.join(',')}: ${recorded.size} builds: ${total.toFixed(1)} s of jobs, ${(total / slots).toFixed(1)} s per slot at best (${slots} slots)`);
  const dir = makeTempDir('bench-sweep-schedule');
  try {
    for (const schedule of ['first-come', 'longest-chain-first'] as SweepSchedule[]) {
      const clock = new VirtualClock();
      const runner = new ReplayRunner(slots, clock, recorded);
      const order: string[] = [];
      const run = runSweep({
        model, data, out: path.join(dir, schedule), targets: targets.map((t) => findMcuTarget(t)), budgets: budgetGrid(lists), precisions,
        flags: { seed: 0, validation: 0.15, batchSize: 32, lr: 1e-3, distill: true, maxDrop: 1.5, dropReserve: 0.5, proposalEpochs: 1, finalEpochs: 3, maxIterations: 8, criterion: 'l1', weightProposals: true },
        output: {}, schedule,
      }, runner, (line) => {
        const m = /^\[\d+\] (\S+):/.exec(line);
        if (m) order.push(`${m[1]} ${clock.now.toFixed(0)}`);
      });
      const { report: simulated } = await clock.run(run);
      const key = (list: typeof report.combinations) => JSON.stringify(list.map((c) => [c.name, c.status, c.reusedFrom, c.met]).sort());
      const same = key(simulated.combinations) === key(report.combinations.filter((c) => targets.includes(c.target)));
      const ends = [...runner.ends].sort((a, b) => b - a);
      console.log(`${schedule}: ${clock.now.toFixed(1)} s (${(total / clock.now / slots * 100).toFixed(0)}% of the slots busy; the last jobs ended at ${ends.slice(0, slots).map((e) => e.toFixed(1)).join(', ')} s; at most ${runner.most} at once); same builds and reuses as recorded: ${same ? 'yes' : 'NO'}`);
      console.log(`  ended: ${order.join(', ')}`);
    }
  } finally {
    removeTempDir(dir);
  }
}

await main();
