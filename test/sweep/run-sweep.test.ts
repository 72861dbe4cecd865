// The sweep's orchestration with a runner that builds nothing (its jobs' results are given): a combination whose job
// fails is reported by name with its error while the others are written, a looser budget reuses a met tighter one
// (no job), the jobs carry the model's and the data's SHA-256 and the cost model's verdict on the dense model, and a
// free worker goes to the chain with the most expected work left.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobOutcome, JobRunner, RunJobsOptions } from '../../src/jobs/runner.js';
import type { JobSpec, Json } from '../../src/jobs/spec.js';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { fileSha256, type SweepBuildPayload, type SweepBuildResult } from '../../src/sweep/sweep-build-kind.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

const MLP = path.resolve('examples/models/digits-mlp.onnx');
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ep-run-sweep-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs nothing: lm3s6965's jobs fail, the others meet their budget at 90 instructions. */
class GivenResults implements JobRunner {
  readonly description = 'given results';
  readonly payloads: SweepBuildPayload[] = [];
  async run(jobs: JobSpec[], options: RunJobsOptions = {}): Promise<JobOutcome[]> {
    const out: JobOutcome[] = [];
    for (const job of [...jobs].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const p = job.payload as unknown as SweepBuildPayload;
      this.payloads.push(p);
      const result: SweepBuildResult = {
        met: true, failed: [], measured: { instructions: 90, latencyMs: 0.001, flashBytes: 900, ramBytes: 90 }, accuracy: { dense: 0.5, final: 0.5, dropPoints: 0 },
        smallestReached: [], search: { iterations: 1, epochs: 1, stoppedBecause: null }, wallSeconds: 1, files: { 'report.json': Buffer.from(`{"name":"${p.name}"}`).toString('base64') },
      };
      const o: JobOutcome = p.target === 'lm3s6965' ? { id: job.id, kind: job.kind, ok: false, error: `crashed on ${p.name}`, attempts: 3 } : { id: job.id, kind: job.kind, ok: true, result: result as unknown as Json };
      out.push(o);
      options.onSettled?.(o, out.length, jobs.length);
    }
    return out;
  }
  async close(): Promise<void> {}
}

describe('runSweep', () => {
  it('reports a failed job by name and writes the rest; a looser budget reuses a met build', async () => {
    const out = path.join(dir, 'out');
    const runner = new GivenResults();
    const lines: string[] = [];
    const { report, jobsRun } = await runSweep({
      model: MLP, data: DIGITS, out, targets: [findMcuTarget('stm32f405'), findMcuTarget('lm3s6965')], budgets: [{ maxInstructions: 100 }, { maxInstructions: 100_000 }],
      flags: { seed: 0, validation: 0.15, batchSize: 32, lr: 1e-3, distill: true, maxDrop: 1.5, dropReserve: 0.5, proposalEpochs: 1, finalEpochs: 10, maxIterations: 40, criterion: 'l1', weightProposals: true },
      output: {},
    }, runner, (l) => lines.push(l));
    // stm32f405: 100 met, 100,000 reused; lm3s6965: both budgets run and fail.
    expect(jobsRun).toBe(3);
    expect(report.combinations.map((c) => [c.name, c.status, c.met])).toEqual([
      ['stm32f405-float32-100instr', 'built', true],
      ['stm32f405-float32-100000instr', 'reused', true],
      ['lm3s6965-int8-100instr', 'failed', null],
      ['lm3s6965-int8-100000instr', 'failed', null],
    ]);
    expect(report.combinations[2].error).toBe('crashed on lm3s6965-int8-100instr');
    expect(report.combinations[1].reusedFrom).toBe('stm32f405-float32-100instr');
    expect(fs.readFileSync(path.join(out, 'builds', 'stm32f405-float32-100instr', 'report.json'), 'utf8')).toBe('{"name":"stm32f405-float32-100instr"}');
    expect(fs.existsSync(path.join(out, 'builds', 'lm3s6965-int8-100instr'))).toBe(false);
    // Only the finished job is kept for --resume, without its files.
    const kept = fs.readdirSync(path.join(out, 'jobs'));
    expect(kept).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'jobs', kept[0]), 'utf8')).result.files).toBeUndefined();
    expect(report.cheapest.map((c) => c.target)).toEqual(['stm32f405', 'stm32f405']);
    // The jobs: the files' hashes, and the dense model (6,464 MACs) meets 100,000 instructions on lm3s6965 by the cost model.
    expect(runner.payloads.every((p) => p.modelSha256 === fileSha256(MLP) && p.dataSha256 === fileSha256(DIGITS))).toBe(true);
    expect(runner.payloads.map((p) => [p.name, p.denseMeets]).sort()).toEqual([['lm3s6965-int8-100000instr', true], ['lm3s6965-int8-100instr', false], ['stm32f405-float32-100instr', false]]);
    expect(lines).toContain('[3] lm3s6965-int8-100000instr: FAILED: crashed on lm3s6965-int8-100000instr');
  });

  it('gives a free worker to the build whose chain has the most expected work left; the report is the same as first come', async () => {
    // One slot, float32. On lm3s6965 (soft float) the cost model has the dense model far over both budgets (about 4x the
    // loose one): its chain is expected to build both, and goes first although stm32f405's asked first (stm32f405 meets
    // the loose budget dense: one build expected, then a reuse). The same builds, reuses and results either way.
    const sweep = async (schedule: 'longest-chain-first' | 'first-come') => {
      const order: string[] = [];
      const runner: JobRunner = {
        description: 'one slot', slots: 1,
        async run(jobs: JobSpec[], options: RunJobsOptions = {}): Promise<JobOutcome[]> {
          const p = jobs[0].payload as unknown as SweepBuildPayload;
          order.push(p.name);
          const met = p.target === 'stm32f405';
          const result: SweepBuildResult = {
            met, failed: met ? [] : ['not met'], measured: { instructions: met ? 90 : 500_000, latencyMs: 0.001, flashBytes: 900, ramBytes: 90 }, accuracy: { dense: 0.5, final: 0.5, dropPoints: 0 },
            smallestReached: [], search: { iterations: 1, epochs: 1, stoppedBecause: null }, wallSeconds: 1, files: { 'report.json': Buffer.from('{}').toString('base64') },
          };
          const o: JobOutcome = { id: jobs[0].id, kind: jobs[0].kind, ok: true, result: result as unknown as Json };
          options.onSettled?.(o, 1, 1);
          return [o];
        },
        async close() {},
      };
      const { report } = await runSweep({
        model: MLP, data: DIGITS, out: path.join(dir, `order-${schedule}`), targets: [findMcuTarget('stm32f405'), findMcuTarget('lm3s6965')], budgets: [{ maxInstructions: 100 }, { maxInstructions: 100_000 }], precisions: ['float32'],
        flags: { seed: 0, validation: 0.15, batchSize: 32, lr: 1e-3, distill: true, maxDrop: 1.5, dropReserve: 0.5, proposalEpochs: 1, finalEpochs: 10, maxIterations: 40, criterion: 'l1', weightProposals: true },
        output: {}, schedule,
      }, runner, () => {});
      return { order, report };
    };
    const first = await sweep('first-come');
    const longest = await sweep('longest-chain-first');
    expect(first.order).toEqual(['stm32f405-float32-100instr', 'lm3s6965-float32-100instr', 'lm3s6965-float32-100000instr']);
    // Then stm32f405's (a search, then a measurement-only build expected: 1.2) before lm3s6965's last (1).
    expect(longest.order).toEqual(['lm3s6965-float32-100instr', 'stm32f405-float32-100instr', 'lm3s6965-float32-100000instr']);
    expect(longest.report).toEqual(first.report);
    expect(longest.report.combinations.map((c) => [c.name, c.status])).toEqual([
      ['stm32f405-float32-100instr', 'built'], ['stm32f405-float32-100000instr', 'reused'], ['lm3s6965-float32-100instr', 'built'], ['lm3s6965-float32-100000instr', 'built'],
    ]);
  });

  it('runs the targets side by side: a slow build on one target does not hold up the looser budgets of another', async () => {
    // stm32f405's tight build is not met, so its loose budget is built too; lm3s6965's tight build finishes only once
    // that second stm32f405 build has started (with the waves one after the other, it would wait forever).
    let looseStarted: () => void = () => {};
    const looseStm32 = new Promise<void>((resolve) => (looseStarted = resolve));
    const runner: JobRunner = {
      description: 'a runner that waits',
      async run(jobs: JobSpec[], options: RunJobsOptions = {}): Promise<JobOutcome[]> {
        const [job] = jobs;
        const p = job.payload as unknown as SweepBuildPayload;
        if (p.name === 'stm32f405-float32-100000instr') looseStarted();
        if (p.name === 'lm3s6965-int8-100instr') await looseStm32;
        const met = p.name !== 'stm32f405-float32-100instr';
        const result: SweepBuildResult = {
          met, failed: met ? [] : ['instructions per inference: 150 > 100'], measured: { instructions: met ? 90 : 150, latencyMs: 0.001, flashBytes: 900, ramBytes: 90 }, accuracy: { dense: 0.5, final: 0.5, dropPoints: 0 },
          smallestReached: [], search: { iterations: 1, epochs: 1, stoppedBecause: null }, wallSeconds: 1, files: { 'report.json': Buffer.from('{}').toString('base64') },
        };
        const o: JobOutcome = { id: job.id, kind: job.kind, ok: true, result: result as unknown as Json };
        options.onSettled?.(o, 1, 1);
        return [o];
      },
      async close() {},
    };
    const { report } = await runSweep({
      model: MLP, data: DIGITS, out: path.join(dir, 'side-by-side'), targets: [findMcuTarget('stm32f405'), findMcuTarget('lm3s6965')], budgets: [{ maxInstructions: 100 }, { maxInstructions: 100_000 }],
      flags: { seed: 0, validation: 0.15, batchSize: 32, lr: 1e-3, distill: true, maxDrop: 1.5, dropReserve: 0.5, proposalEpochs: 1, finalEpochs: 10, maxIterations: 40, criterion: 'l1', weightProposals: true },
      output: {},
    }, runner, () => {});
    expect(report.combinations.map((c) => [c.name, c.status, c.met])).toEqual([
      ['stm32f405-float32-100instr', 'built', false],
      ['stm32f405-float32-100000instr', 'built', true],
      ['lm3s6965-int8-100instr', 'built', true],
      ['lm3s6965-int8-100000instr', 'reused', true],
    ]);
  }, 60_000);
});
