// The `fine-tune` job kind: a graph survives its JSON form exactly, and the job run in a worker process gives the
// bytes of an in-process fine-tune with the same seed (and a different seed gives other bytes: the seed is used).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fineTuneContext, runnerFineTuner } from '../../src/build/job-fine-tuner.js';
import type { TuneResult } from '../../src/build/fine-tuner.js';
import { loadFittedSplit } from '../../src/cli/data-options.js';
import { concatDatasets } from '../../src/data/dataset.js';
import { loadModel } from '../../src/import/load-model.js';
import { graphFromJson, graphToJson } from '../../src/ir/graph-json.js';
import type { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { LocalRunner } from '../../src/jobs/local-runner.js';
import { masksFromZeros } from '../../src/prune/weight-masks.js';
import { createGraphTrainer, initTraining } from '../../src/train/index.js';

const DIGITS = path.resolve('examples/digits/digits.csv.gz');
const MODEL = path.resolve('examples/models/digits-mlp.onnx');
const SEED = 12345;

/** Every initializer's bytes, by name. */
const weightBytes = (g: Graph) => Object.fromEntries([...g.initializers].map(([k, t]) => [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex')]));

describe('graph JSON', () => {
  it('gives back the same graph, NaN, infinities and −0 included', async () => {
    const g = await loadModel(MODEL);
    g.nodes[0].attrs.test_floats = { kind: 'floats', value: [NaN, -0, Infinity, -Infinity, 0.1] };
    g.nodes[0].attrs.test_tensor = { kind: 'tensor', value: new Tensor('float32', [2], new Float32Array([-0, NaN])) };
    const back = graphFromJson(JSON.parse(JSON.stringify(graphToJson(g))));
    expect(back).toEqual(g);
    const floats = back.nodes[0].attrs.test_floats.value as number[];
    expect(Object.is(floats[1], -0)).toBe(true);
    expect(weightBytes(back)).toEqual(weightBytes(g));
  });
});

describe('the fine-tune job kind', () => {
  let dense: Graph;
  let inProcess: { graph: Graph; score: number; loss: number };
  let annealed: Graph;
  /** Two epochs from the same start and seed: the last weights, and the mean of both epochs' ends. */
  let twoEpochs: { last: Graph; averaged: Graph };
  /** One epoch on train + validation (the search's refit, --final-on-validation), the teacher's logits on both. */
  let onBoth: Graph;
  const runner = new LocalRunner({ workers: 1 });
  afterAll(() => runner.close());

  beforeAll(async () => {
    dense = await loadModel(MODEL);
    const { backend } = await initTraining({});
    const split = loadFittedSplit(DIGITS, { seed: 0, validation: 0.15 }, dense);
    const trainer = createGraphTrainer(split.train, { backend, seed: 0, batchSize: 32, learningRate: 1e-3, teacher: dense });
    const graph = await trainer.fineTune(dense, masksFromZeros(dense), 1, undefined, SEED);
    inProcess = { graph, ...(await trainer.assess(graph, split.validation)) };
    annealed = await trainer.fineTune(dense, masksFromZeros(dense), 1, undefined, SEED, 'cosine');
    twoEpochs = {
      last: await trainer.fineTune(dense, masksFromZeros(dense), 2, undefined, SEED),
      averaged: await trainer.fineTune(dense, masksFromZeros(dense), 2, undefined, SEED, undefined, 2),
    };
    trainer.dispose();
    const both = createGraphTrainer(concatDatasets(split.train, split.validation), { backend, seed: 0, batchSize: 32, learningRate: 1e-3, teacher: dense });
    onBoth = await both.fineTune(dense, masksFromZeros(dense), 1, undefined, SEED);
    both.dispose();
  }, 60_000);

  it('run in a worker process, equals an in-process fine-tune with the same seed bit for bit', async () => {
    const { backend } = await initTraining({});
    const tuner = runnerFineTuner(fineTuneContext({ data: DIGITS, seed: 0, validation: 0.15, training: { backend, batchSize: 32, lr: 1e-3 }, teacher: dense }), runner);
    const request = (seed: number) => ({ graph: dense, masks: masksFromZeros(dense), epochs: 1, seed, what: 'the test model' });
    const [same, other, cosine, averaged, withValidation]: TuneResult[] = await tuner.tuneMany([request(SEED), request(SEED + 1), { ...request(SEED), schedule: 'cosine' }, { ...request(SEED), epochs: 2, averageLastEpochs: 2 }, { ...request(SEED), withValidation: true }]);
    expect(weightBytes(same.graph)).toEqual(weightBytes(inProcess.graph));
    expect(same.graph).toEqual(inProcess.graph);
    expect(same.validation).toBe(inProcess.score);
    expect(same.loss).toBe(inProcess.loss);
    // The seed is the request's: another seed shuffles otherwise.
    expect(weightBytes(other.graph)).not.toEqual(weightBytes(inProcess.graph));
    // The schedule travels with the job: an annealed fine-tune in the worker equals the annealed one here, not the constant one.
    expect(weightBytes(cosine.graph)).toEqual(weightBytes(annealed));
    expect(weightBytes(cosine.graph)).not.toEqual(weightBytes(inProcess.graph));
    // So does weight averaging (build's --average-epochs): the worker's averaged weights equal this process's, not the last iterate.
    expect(weightBytes(averaged.graph)).toEqual(weightBytes(twoEpochs.averaged));
    expect(weightBytes(averaged.graph)).not.toEqual(weightBytes(twoEpochs.last));
    // A refit job trains on the training and the validation samples: the in-process fine-tune on both, not on train alone.
    expect(weightBytes(withValidation.graph)).toEqual(weightBytes(onBoth));
    expect(weightBytes(withValidation.graph)).not.toEqual(weightBytes(inProcess.graph));
  }, 120_000);
});
