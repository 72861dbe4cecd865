// The cost-model bench models (bench/cost-model.ts and test/cost/): the MNIST-like CNN, the digits MLP and CNN of
// src/models/architectures.ts (random weights, with the input standardization `edgeprune train` adds),
// structurally pruned variants (pruneChannels) and magnitude-pruned ones (weight masks); their int8 versions.
import type { Graph } from '../src/ir/graph.js';
import { buildCnn, buildMlp, type InputStatistics } from '../src/models/architectures.js';
import { mnistLikeCnn, residualCnn } from '../src/models/sample-models.js';
import { analyzePruneGroups, pruneChannels } from '../src/prune/structure/index.js';
import { applyMasks, magnitudeMasks } from '../src/prune/weight-masks.js';
import type { WeightGranularity } from '../src/quant/qparams.js';
import { quantizeModel } from '../src/quant/quantize.js';
import { loadVectors } from '../src/verify/vectors.js';

function stats(n: number): InputStatistics {
  return { mean: Array.from({ length: n }, (_, i) => (i % 7) / 10), variance: Array.from({ length: n }, (_, i) => 1 + (i % 5)) };
}

/** Remove `fraction` of the channels of every prune group (a spread of indices). */
export function pruneFraction(g: Graph, fraction: number): Graph {
  const analysis = analyzePruneGroups(g);
  const removals: Record<string, number[]> = {};
  for (const grp of analysis.groups) {
    const k = Math.min(grp.size - 1, Math.floor(grp.size * fraction));
    const picked = new Set<number>();
    for (let i = 0; picked.size < k; i++) picked.add((i * 7 + 3) % grp.size);
    removals[grp.id] = [...picked];
  }
  return pruneChannels(g, removals, analysis);
}

export function magnitudePruned(g: Graph, sparsity: number): Graph {
  return applyMasks(g, magnitudeMasks(g, sparsity, 'global'));
}

export const digitsMlp = () => buildMlp({ sampleShape: [64], classes: 10, seed: 1, hidden: [64, 32], normalize: stats(64) });
export const digitsCnn = () => buildCnn({ sampleShape: [1, 8, 8], classes: 10, seed: 1, normalize: stats(1) });

/** name → graph. */
export function benchModels(): Record<string, Graph> {
  const mnist = mnistLikeCnn();
  const mlp = digitsMlp();
  const cnn = digitsCnn();
  return {
    'mnist-cnn': mnist,
    'digits-mlp': mlp,
    'digits-cnn': cnn,
    'mnist-cnn-pruned50': pruneFraction(mnist, 0.5),
    'digits-mlp-pruned50': pruneFraction(mlp, 0.5),
    'digits-cnn-pruned50': pruneFraction(cnn, 0.5),
    'digits-cnn-pruned30': pruneFraction(cnn, 0.3),
  };
}

/** `g` quantized to int8 (post-training, min/max ranges) on 16 seeded random calibration inputs. */
export function quantizedForBench(g: Graph, denseWeights?: WeightGranularity): Graph {
  const vectors = loadVectors(g, { count: 16, seed: 7 }).inputs;
  return quantizeModel(g, vectors.map((v) => Object.fromEntries(g.inputs.map((input, i) => [input.name, v[i]]))), { denseWeights }).graph;
}

/**
 * The int8 bench models: the three bench models, a channel-pruned one, magnitude-pruned ones and a residual CNN
 * (BatchNorm, Add, average pool), quantized; and the digits MLP, dense and 80% pruned, with per-tensor dense weights
 * (the _pt kernels).
 */
export function int8BenchModels(): Record<string, Graph> {
  const bench = benchModels();
  const float: Record<string, Graph> = {
    'mnist-cnn': bench['mnist-cnn'],
    'digits-mlp': bench['digits-mlp'],
    'digits-cnn': bench['digits-cnn'],
    'digits-cnn-pruned50': bench['digits-cnn-pruned50'],
    'mnist-cnn-sparse80': magnitudePruned(bench['mnist-cnn'], 0.8),
    'digits-mlp-sparse80': magnitudePruned(bench['digits-mlp'], 0.8),
    'digits-cnn-sparse90': magnitudePruned(bench['digits-cnn'], 0.9),
    'residual-cnn': residualCnn(),
  };
  const perTensor = { 'digits-mlp': float['digits-mlp'], 'digits-mlp-sparse80': float['digits-mlp-sparse80'] };
  return {
    ...Object.fromEntries(Object.entries(float).map(([name, g]) => [`${name}-int8`, quantizedForBench(g)])),
    ...Object.fromEntries(Object.entries(perTensor).map(([name, g]) => [`${name}-pt-int8`, quantizedForBench(g, 'per-tensor')])),
  };
}
