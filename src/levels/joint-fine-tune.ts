// Fine-tuning nested levels jointly with their weights shared: each epoch, every level is sliced out of the full model,
// fine-tuned with the build's fine-tuner, and written back into the full model's slices. With the training set in
// parts, the levels take turns on each part, so that they alternate several times per epoch.

import { fineTuneSeed } from '../build/fine-tuner.js';
import { subset, type Dataset } from '../data/dataset.js';
import type { Trainer } from '../prune/trainer.js';
import { analyzePruneGroups, type PruneAnalysis } from '../prune/structure/index.js';
import { masksFromZeros } from '../prune/weight-masks.js';
import { levelGraph, type NestedLevels } from './nested-levels.js';
import { scatterLevelWeights } from './scatter-level-weights.js';

export interface JointFineTuneOptions {
  /** Epochs over the training set per level (each level sees every sample this many times). */
  epochs: number;
  /** Base of every fine-tune's shuffling seed (fineTuneSeed: the same seeds whatever ran before). */
  seed: number;
  /**
   * The order the levels take on each part: 'largest-first' (the smallest level's update lands last, so the shared
   * prefix ends each turn suited to it) or 'smallest-first'.
   */
  order?: 'largest-first' | 'smallest-first';
  /** After each level's turn. */
  onStep?: (step: { epoch: number; part: number; level: number }) => void;
}

/** The training set in `parts` disjoint parts (sample i in part i mod parts), every sample in one. */
export function trainingParts(train: Dataset, parts: number): Dataset[] {
  return Array.from({ length: parts }, (_, p) => subset(train, Array.from({ length: train.count }, (_, i) => i).filter((i) => i % parts === p), `${train.part ?? 'train'} part ${p + 1}/${parts}`));
}

/**
 * `levels` with its full model's weights fine-tuned for every level in turn (weights shared: a level's update lands in
 * the full model's slices it reads). `trainers`: one per part of the training set (trainingParts), visited in order
 * each epoch, one epoch of its part per level; a single trainer on the whole set alternates the levels once per epoch.
 * The trainers decide the loss (with the dense teacher they distil, as the build does). Exact zeros stay zero
 * (weight-pruned input models keep their sparsity).
 */
export async function fineTuneJointly(levels: NestedLevels, trainers: readonly Trainer[], options: JointFineTuneOptions, analysis: PruneAnalysis = analyzePruneGroups(levels.full)): Promise<NestedLevels> {
  const indices = levels.keep.map((_, k) => k);
  const order = options.order === 'smallest-first' ? indices.reverse() : indices;
  let full = levels.full;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const [part, trainer] of trainers.entries()) {
      for (const k of order) {
        const current = { full, keep: levels.keep };
        const level = levelGraph(current, k, analysis);
        // One part: the seeds of the whole-epoch alternation; parts: each part's turn seeded on its own.
        const where = trainers.length === 1 ? ['levels', epoch, k] : ['levels', epoch, `part ${part}`, k];
        const tuned = await trainer.fineTune(level, masksFromZeros(level), 1, undefined, fineTuneSeed(options.seed, where));
        full = scatterLevelWeights(current, k, tuned, analysis);
        options.onStep?.({ epoch, part, level: k });
      }
    }
  }
  return { full, keep: levels.keep };
}
