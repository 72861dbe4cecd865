// The cost-model bench models (bench/cost-model.ts and test/cost/): the MNIST-like CNN, the digits MLP and CNN of
// src/models/architectures.ts (random weights, with the input standardization `edgeprune train` adds),
// structurally pruned variants (pruneChannels) and magnitude-pruned ones (weight masks).
import type { Graph } from '../src/ir/graph.js';
import { buildCnn, buildMlp, type InputStatistics } from '../src/models/architectures.js';
import { mnistLikeCnn } from '../src/models/sample-models.js';
import { analyzePruneGroups, pruneChannels } from '../src/prune/structure/index.js';
import { applyMasks, magnitudeMasks } from '../src/prune/weight-masks.js';

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
