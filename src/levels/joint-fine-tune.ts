// Fine-tuning nested levels jointly with their weights shared: each epoch, every level is sliced out of the full model,
// fine-tuned for one epoch with the build's fine-tuner, and written back into the full model's slices.

import { fineTuneSeed } from '../build/fine-tuner.js';
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
   * The order the levels take within an epoch: 'largest-first' (the smallest level's update lands last, so the
   * shared prefix ends each epoch suited to it) or 'smallest-first'.
   */
  order?: 'largest-first' | 'smallest-first';
  /** After each level's epoch. */
  onStep?: (step: { epoch: number; level: number }) => void;
}

/**
 * `levels` with its full model's weights fine-tuned for every level in turn (weights shared: a level's update lands in
 * the full model's slices it reads). The trainer decides the loss (with the dense teacher it distils, as the build does).
 * Exact zeros stay zero (weight-pruned input models keep their sparsity).
 */
export async function fineTuneJointly(levels: NestedLevels, trainer: Trainer, options: JointFineTuneOptions, analysis: PruneAnalysis = analyzePruneGroups(levels.full)): Promise<NestedLevels> {
  const indices = levels.keep.map((_, k) => k);
  const order = options.order === 'smallest-first' ? indices.reverse() : indices;
  let full = levels.full;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const k of order) {
      const current = { full, keep: levels.keep };
      const level = levelGraph(current, k, analysis);
      const tuned = await trainer.fineTune(level, masksFromZeros(level), 1, undefined, fineTuneSeed(options.seed, ['levels', epoch, k]));
      full = scatterLevelWeights(current, k, tuned, analysis);
      options.onStep?.({ epoch, level: k });
    }
  }
  return { full, keep: levels.keep };
}
