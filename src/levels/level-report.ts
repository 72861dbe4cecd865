// What each nested level is worth: kept channels, predicted instructions, validation and test accuracy and the drop
// from the dense model with its paired standard error.

import type { Costs } from '../build/budgets.js';
import type { ProgressiveData } from '../prune/progressive.js';
import { assessOn, type Trainer } from '../prune/trainer.js';
import { correctness, pairedDropError, type DropUncertainty } from '../prune/uncertainty.js';
import type { Dataset } from '../data/dataset.js';
import type { Graph } from '../ir/graph.js';

export interface LevelReport {
  level: number;
  /** The fraction of the dense instructions asked for (with an explicit budget: the budget ÷ the dense prediction). */
  fraction: number;
  /** The limit on the predicted count the level was chosen under (fraction × dense, or the explicit budget). */
  limit: number;
  /** The share of every group's channels removed. */
  step: number;
  keep: Record<string, number>;
  /** Predicted by the cost model (typical and worst case). */
  instructions: number;
  instructionsWorstCase: number;
  validation: number;
  test: number;
  /** Test points lost from the dense model (positive: worse). */
  testDrop: number;
  /** The paired standard errors of the drop on each split (a small split: one sample is worth many points). */
  uncertainty: { validation: DropUncertainty; test: DropUncertainty };
}

export interface DenseFigures {
  instructions: number;
  instructionsWorstCase: number;
  validation: number;
  test: number;
}

/** The dense model's figures, the reference of every level's drop, and which samples it gets right (run once). */
export interface DenseReference {
  figures: DenseFigures;
  correct: { validation: Uint8Array | null; test: Uint8Array | null };
}

export async function denseReference(dense: Graph, data: ProgressiveData, trainer: Trainer, costs: Costs): Promise<DenseReference> {
  return {
    figures: { instructions: costs.instructions, instructionsWorstCase: costs.instructionsWorstCase, validation: (await assessOn(trainer, dense, data.validation)).validation, test: await trainer.score(dense, data.test) },
    correct: { validation: correctness(dense, data.validation), test: correctness(dense, data.test) },
  };
}

/** The drop's uncertainty on one split (as dropUncertainty, with the dense model's correctness given). */
function uncertaintyOn(dense: Uint8Array | null, level: Graph, ds: Dataset): DropUncertainty {
  const b = dense && correctness(level, ds);
  return { samples: ds.count, pointsPerSample: 100 / ds.count, standardError: dense && b ? pairedDropError(dense, b) : null };
}

/** One level's report (`graph`: the level as sliced from the shared weights). */
export async function levelReport(
  level: { level: number; fraction: number; limit: number; step: number; keep: Record<string, number>; graph: Graph },
  dense: DenseReference,
  data: ProgressiveData,
  trainer: Trainer,
  costs: Costs,
): Promise<LevelReport> {
  const validation = (await assessOn(trainer, level.graph, data.validation)).validation;
  const test = await trainer.score(level.graph, data.test);
  return {
    level: level.level, fraction: level.fraction, limit: level.limit, step: level.step, keep: level.keep,
    instructions: costs.instructions, instructionsWorstCase: costs.instructionsWorstCase,
    validation, test, testDrop: (dense.figures.test - test) * 100,
    uncertainty: { validation: uncertaintyOn(dense.correct.validation, level.graph, data.validation), test: uncertaintyOn(dense.correct.test, level.graph, data.test) },
  };
}
