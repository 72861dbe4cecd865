// What each nested level is worth: kept channels, predicted instructions, validation and test accuracy and the drop
// from the dense model with its paired standard error.

import type { Costs } from '../build/budgets.js';
import type { ProgressiveData } from '../prune/progressive.js';
import { assessOn, type Trainer } from '../prune/trainer.js';
import { dropUncertainty, type DropUncertainty } from '../prune/uncertainty.js';
import type { Graph } from '../ir/graph.js';

export interface LevelReport {
  level: number;
  /** The fraction of the dense instructions asked for. */
  fraction: number;
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

/** The dense model's figures, the reference of every level's drop. */
export async function denseFigures(dense: Graph, data: ProgressiveData, trainer: Trainer, costs: Costs): Promise<DenseFigures> {
  return { instructions: costs.instructions, instructionsWorstCase: costs.instructionsWorstCase, validation: (await assessOn(trainer, dense, data.validation)).validation, test: await trainer.score(dense, data.test) };
}

/** One level's report (`graph`: the level as sliced from the shared weights). */
export async function levelReport(
  level: { level: number; fraction: number; step: number; keep: Record<string, number>; graph: Graph },
  dense: { graph: Graph; figures: DenseFigures },
  data: ProgressiveData,
  trainer: Trainer,
  costs: Costs,
): Promise<LevelReport> {
  const validation = (await assessOn(trainer, level.graph, data.validation)).validation;
  const test = await trainer.score(level.graph, data.test);
  return {
    level: level.level, fraction: level.fraction, step: level.step, keep: level.keep,
    instructions: costs.instructions, instructionsWorstCase: costs.instructionsWorstCase,
    validation, test, testDrop: (dense.figures.test - test) * 100,
    uncertainty: { validation: dropUncertainty(dense.graph, level.graph, data.validation), test: dropUncertainty(dense.graph, level.graph, data.test) },
  };
}
