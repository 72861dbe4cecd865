// The budget search with its fine-tunes in this process, on 2 local workers, in this process and 1 local worker side by
// side (build's default), and through a Redis queue served by 2 `edgeprune worker` processes: the same iterations and
// the same final model bytes (seeds fixed before dispatch; every fine-tune annealed, --anneal all, and the final one's
// weights averaged over its 2 epochs: both travel with the jobs; the uniform contender and the refit on train +
// validation, and the borderline proposals' repeats: side by side and on 2 kept local workers a follow-up starts when a
// lane frees (the likely refit, a proposal's repeats once its first fine-tune is in); through Redis both refits run in the
// batch, and the repeats as one batch after it).
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../hw-sim/redis/server.js';
import { bindCostModel } from '../../src/build/cost-binding.js';
import type { FineTuner } from '../../src/build/fine-tuner.js';
import { fineTuneContext, inProcessFineTuner, runnerFineTuner } from '../../src/build/job-fine-tuner.js';
import { searchUnderBudget, type SearchResult } from '../../src/build/search.js';
import { loadFittedSplit } from '../../src/cli/data-options.js';
import { loadModel } from '../../src/import/load-model.js';
import type { Graph } from '../../src/ir/graph.js';
import { LocalRunner } from '../../src/jobs/local-runner.js';
import { sideBySideTuner } from '../../src/build/side-by-side-tuner.js';
import { parseQueueUrl } from '../../src/jobs/redis-connection.js';
import { RedisRunner } from '../../src/jobs/redis-runner.js';
import { exportOnnx } from '../../src/onnx/export.js';
import type { ProgressiveData } from '../../src/prune/progressive.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { createGraphTrainer, initTraining } from '../../src/train/index.js';
import { skipWithoutTools } from '../support/toolchain.js';

const skip = await skipWithoutTools('test/build/search-fanout.test.ts', ['redis-server']);
const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const MODEL = path.resolve('examples/models/digits-mlp.onnx');
const BIN = path.resolve('bin/edgeprune.js');
/** Samples of the digits used (a smaller train split: shorter epochs). */
const LIMIT = 800;

let server: RedisServer | undefined;
const workers: ResultPromise[] = [];
let local: LocalRunner | undefined;
let one: LocalRunner | undefined;
let redis: RedisRunner | undefined;
afterAll(async () => {
  await local?.close();
  await one?.close();
  await redis?.close();
  for (const w of workers) w.kill('SIGKILL');
  await Promise.allSettled(workers);
  await server?.stop();
});

/** What must not depend on where the fine-tunes ran: the final model's bytes and the iterations (but their wall times). */
const onnxOf = (g: Graph) => Buffer.from(exportOnnx(g)).toString('base64');
const outcome = <N extends string>(r: SearchResult<N>) => ({
  onnx: onnxOf(r.graph),
  iterations: r.iterations.map(({ wallMs: _wallMs, ...it }) => it),
  final: r.final,
  fineTuning: r.fineTuning,
  contender: r.contender,
  refit: r.refit && { ...r.refit, decided: onnxOf(r.refit.decided) },
});

describe.skipIf(skip)('the budget search fanned out', () => {
  let dense: Graph;
  let data: ProgressiveData;
  let search: (tuner: FineTuner) => Promise<ReturnType<typeof outcome<'instructions'>>>;
  let context: ReturnType<typeof fineTuneContext>;

  beforeAll(async () => {
    dense = await loadModel(MODEL);
    data = loadFittedSplit(DIGITS, { seed: 0, validation: 0.15, limit: LIMIT }, dense);
    const { backend } = await initTraining({});
    context = fineTuneContext({ data: DIGITS, seed: 0, validation: 0.15, limit: LIMIT, training: { backend, batchSize: 32, lr: 1e-3 }, teacher: dense });
    const cost = await bindCostModel(findMcuTarget('stm32f405'));
    const limit = Math.round(cost.costs(dense).instructions * 0.9);
    search = async (tuner) => {
      const trainer = createGraphTrainer(data.train, { backend, seed: 0, batchSize: 32, learningRate: 1e-3, teacher: dense });
      try {
        const r = await searchUnderBudget(dense, trainer, data, (g) => cost.costs(g), {
          budgets: [{ name: 'instructions', limit, givenAs: 'test' }], maxDrop: 1.5, proposalEpochs: 1, finalEpochs: 2, recoveryRounds: 0, recoveryEpochs: 0,
          maxIterations: 2, criterion: 'l1', weightProposals: true, tuner, seed: 7, anneal: 'all', averageLastEpochs: 2,
          uniformContender: true, finalOnValidation: true,
        });
        return outcome(r);
      } finally {
        trainer.dispose();
      }
    };
    local = new LocalRunner({ workers: 2, keepWorkers: true });
    one = new LocalRunner({ workers: 1, keepWorkers: true });
    server = await startRedisServer();
    for (let i = 0; i < 2; i++) workers.push(execa(process.execPath, [BIN, 'worker', '--queue', server.url], { reject: false, stdin: 'ignore', timeout: 300_000 }));
    redis = new RedisRunner(parseQueueUrl(server.url), { backoffMs: 100 });
  }, 120_000);

  it('gives the same iterations and final model bytes in this process, on 2 local workers, side by side and through Redis', async () => {
    const here = await search(inProcessFineTuner(context));
    expect(here.iterations.length).toBeGreaterThan(0);
    // The budget met in 2 iterations: the final stage ran (the contender and the refit of the decided one).
    expect(here.refit).toBeDefined();
    expect(here.contender?.description).not.toBeNull();
    const beside = sideBySideTuner(inProcessFineTuner(context), runnerFineTuner(context, one!));
    beside.warm!(dense);
    expect(await search(beside)).toEqual(here);
    expect(here.iterations.reduce((n, it) => n + it.proposals.length, 0)).toBeGreaterThan(3);
    // Some proposals were borderline: their repeats ran as follow-ups.
    expect(here.iterations.reduce((n, it) => n + (it.repeated ?? 0), 0)).toBeGreaterThan(0);
    // The workers warmed up first (the data and the teacher's logits loaded ahead, as build does): the same bytes.
    const warmed = runnerFineTuner(context, local!);
    warmed.warm!(dense);
    const pooled = await search(warmed);
    expect(pooled).toEqual(here);
    const queued = await search(runnerFineTuner(context, redis!));
    expect(queued).toEqual(here);
  }, 240_000);
});
