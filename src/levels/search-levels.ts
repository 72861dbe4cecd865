// One search for nested levels (issue 15 §2): channels ordered by importance, each level's uniform width chosen from
// the cost model to meet its fraction of the dense instructions, the levels fine-tuned jointly with weights shared.

import type { Costs } from '../build/budgets.js';
import type { Dataset } from '../data/dataset.js';
import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { ProgressiveData } from '../prune/progressive.js';
import { analyzePruneGroups, type Criterion } from '../prune/structure/index.js';
import type { Trainer } from '../prune/trainer.js';
import { orderByImportance } from './importance-order.js';
import { fineTuneJointly, trainingParts, type JointFineTuneOptions } from './joint-fine-tune.js';
import { denseReference, levelReport, type DenseFigures, type DenseReference, type LevelReport } from './level-report.js';
import { chooseLevelWidths } from './level-widths.js';
import { checkNested, levelGraph, type NestedLevels } from './nested-levels.js';

export interface SearchLevelsOptions {
  /** Fractions of the dense model's predicted instructions, one per level, decreasing, each in (0, 1]. */
  fractions?: readonly number[];
  /** Or explicit limits on the predicted count, one per level, decreasing (exactly one of the two). */
  instructions?: readonly number[];
  /** The cost model bound to the target (bindCostModel(target).costs). */
  cost: (g: Graph) => Costs;
  /** The build's fine-tuner (with the dense model as its teacher for distillation, as the build makes it). */
  trainer: Trainer;
  /**
   * Which prediction the fractions apply to: the typical instructions (default, what `build` budgets without
   * --deadline-ms) or the worst case (every data-dependent kernel at its worst branch: what a level chosen from the time
   * left before a deadline needs).
   */
  measure?: 'instructions' | 'instructionsWorstCase';
  /** Joint fine-tuning epochs (each level sees the training set this many times); 0 skips fine-tuning. */
  epochs: number;
  seed: number;
  /** How channels are ordered (default L1 of their producing weights). */
  criterion?: Criterion;
  order?: JointFineTuneOptions['order'];
  /**
   * Alternate the levels within each epoch: the training set is cut into `parts` (trainingParts) and the levels take
   * turns on each, fine-tuned by a trainer made for that part (`trainerOn`: as `trainer`, with the same teacher). Without
   * it the levels alternate once per epoch on `trainer`.
   */
  interleave?: { parts: number; trainerOn: (part: Dataset) => Trainer | Promise<Trainer> };
  onProgress?: (text: string) => void;
}

export interface SearchLevelsResult {
  levels: NestedLevels;
  /** The same levels before joint fine-tuning (the model's own weights, channels ordered). */
  ordered: NestedLevels;
  dense: DenseFigures;
  perLevel: LevelReport[];
  /** What a level's report needs to be made again (build --levels narrows a level missing its budget on target). */
  reference: DenseReference;
}

function checkOptions(o: SearchLevelsOptions): void {
  if ((o.fractions === undefined) === (o.instructions === undefined)) throw new Error('searchLevels: give fractions or instructions (one of the two)');
  const f = o.fractions ?? o.instructions!;
  const what = o.fractions ? 'fractions' : 'budgets';
  if (f.length === 0) throw new UserError('no levels given', 'give the fractions of the dense instructions, largest first, e.g. 1.0,0.6,0.35');
  const bad = f.filter((x) => !Number.isFinite(x) || x <= 0 || (o.fractions !== undefined && x > 1));
  if (bad.length) throw new UserError(o.fractions ? `level fractions must be in (0, 1], got ${bad.join(', ')}` : `level budgets must be positive, got ${bad.join(', ')}`, 'give fractions of the dense instructions, e.g. 1.0,0.6,0.35');
  const k = f.findIndex((x, i) => i > 0 && x >= f[i - 1]);
  if (k > 0) throw new UserError(`level ${what} must decrease: level ${k} (${f[k]}) is not below level ${k - 1} (${f[k - 1]})`, 'list the levels largest first, each smaller than the one before');
  if (!Number.isInteger(o.epochs) || o.epochs < 0) throw new UserError(`joint fine-tuning epochs must be a whole number ≥ 0, got ${o.epochs}`);
  const parts = o.interleave?.parts;
  if (parts !== undefined && (!Number.isInteger(parts) || parts < 1)) throw new UserError(`the training set cannot be cut into ${parts} parts`, 'give a whole number of parts ≥ 1');
}

/** Nested levels of `model` under `options.fractions`, fine-tuned jointly, with each level's figures. */
export async function searchLevels(model: Graph, data: ProgressiveData, options: SearchLevelsOptions): Promise<SearchLevelsResult> {
  checkOptions(options);
  const log = options.onProgress ?? (() => {});
  const analysis0 = analyzePruneGroups(model);
  if (analysis0.groups.length === 0) {
    const why = analysis0.blocked.map((b) => `${b.id}: ${b.reasons.join('; ')}`).join(' · ');
    throw new UserError(`the model has no prunable channel group, so its levels cannot differ${why ? ` (${why})` : ''}`, 'give a model with Conv or Gemm/MatMul layers whose channels can be removed');
  }
  if (options.epochs > 0) {
    const can = options.trainer.canTrain(model);
    if (!can.ok) throw new UserError(`the levels cannot be fine-tuned: ${can.reason}`, 'give 0 joint fine-tuning epochs to keep the sliced weights as they are');
  }
  const full = orderByImportance(model, options.criterion);
  const analysis = analyzePruneGroups(full);
  const measure = options.measure ?? 'instructions';
  const what = measure === 'instructions' ? 'predicted instructions' : 'predicted worst-case instructions';
  const widths = chooseLevelWidths(full, analysis, options.fractions ?? { instructions: options.instructions! }, (g) => options.cost(g)[measure], what);
  log(`level widths: ${widths.levels.map((w, k) => `level ${k} removes ${Math.round(w.step * 100)}% (${Math.round(w.instructions).toLocaleString('en-US')} ${what})`).join(', ')}`);
  const ordered: NestedLevels = { full, keep: widths.levels.map((w) => w.keep) };
  checkNested(ordered, analysis);
  const parts = options.interleave && options.epochs > 0 ? trainingParts(data.train, options.interleave.parts) : [];
  if (parts.some((p) => p.count === 0)) throw new UserError(`the training set's ${data.train.count} samples cannot fill ${parts.length} parts`, 'give fewer parts');
  const partTrainers = options.interleave ? await Promise.all(parts.map((p) => options.interleave!.trainerOn(p))) : [options.trainer];
  let levels: NestedLevels;
  try {
    levels = await fineTuneJointly(ordered, partTrainers, {
      epochs: options.epochs, seed: options.seed, order: options.order,
      onStep: ({ epoch, part, level }) => log(`joint fine-tune: epoch ${epoch + 1}/${options.epochs}${parts.length > 1 ? `, part ${part + 1}/${parts.length}` : ''}, level ${level}`),
    }, analysis);
  } finally {
    if (options.interleave) for (const t of partTrainers) t.dispose();
  }
  const dense = await denseReference(model, data, options.trainer, options.cost(model));
  const perLevel: LevelReport[] = [];
  for (const [k, w] of widths.levels.entries()) {
    const graph = levelGraph(levels, k, analysis);
    perLevel.push(await levelReport({ level: k, fraction: w.limit / widths.dense, limit: w.limit, step: w.step, keep: w.keep, graph }, dense, data, options.trainer, options.cost(graph)));
  }
  return { levels, ordered, dense: dense.figures, perLevel, reference: dense };
}
