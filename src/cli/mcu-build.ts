// An MCU build from the command's flags, as a library call: load the model and the data, choose the precision, bind the
// cost model and the fine-tuner, and run buildForTarget (what `build --target <mcu>` and a sweep's jobs run).

import { parseBudgets, type BudgetOptions } from '../build/budgets.js';
import { buildForTarget, sampleVectors, type BuildOutput } from '../build/build.js';
import { bindCostModel } from '../build/cost-binding.js';
import { int8CostModel } from '../build/int8-deployment.js';
import type { SearchIteration } from '../build/search.js';
import type { Precision } from '../analysis/model-precision.js';
import { loadModel, modelDisplayName } from '../import/load-model.js';
import type { InputShapes } from '../passes/fix-input-shapes.js';
import { chooseBuildPrecision } from '../targets/precision.js';
import { checkConstantTimeMac } from '../emit/c/constant-time-mac.js';
import { chooseConstantTimeMac } from '../cost/constant-time-choice.js';
import type { McuTarget } from '../targets/schema.js';
import { checkInt8Flags, DEFAULT_MCU_VERIFY_VECTORS, searchOptions, type Int8CliOptions, type SearchCliOptions } from './build-options.js';
import { loadFittedSplit, type DataOptions } from './data-options.js';
import { formatCount } from './format.js';
import { createFineTuner, type DistillCliOptions, type TrainingCliOptions } from './training-options.js';
import { buildFineTuner } from './build-tuner.js';
import type { JobRunner } from '../jobs/runner.js';

export interface McuBuildOptions extends BudgetOptions, DataOptions, TrainingCliOptions, DistillCliOptions, SearchCliOptions, Int8CliOptions {
  data: string;
  precision?: Precision;
  inputShape?: InputShapes;
  constantTimeMac?: boolean;
  /** The fine-tunes run in this process and on `runner` (one worker) side by side, not on `runner` alone (build's default). */
  fineTunesBeside?: boolean;
}

/** One line on a search iteration (the build's progress, a sweep worker's log). */
export function iterationLine(it: SearchIteration): string {
  return `step ${it.iteration}: lowering ${it.constrained} by ${formatCount(it.step)} · ${it.proposals.length} proposals${it.repeated ? ` (${it.repeated} borderline: judged on repeated fine-tunes)` : ''} · chose ${it.chosen ?? 'none'}${it.recovery ? ` (${it.recovery})` : ''} · ${formatCount(it.costs.instructions)} instructions, RAM ${formatCount(it.costs.ramBytes)} B, flash ${formatCount(it.costs.flashBytes)} B · validation ${(it.validation * 100).toFixed(2)}% (${(it.wallMs / 1000).toFixed(1)} s)`;
}

/**
 * Build `file` for `target` under the budgets of `o`; `line` gets the progress (precision, phases, warnings, steps).
 * The search's candidate fine-tunes run on `runner` when given (build --workers / --queue), else in this process.
 */
export async function buildMcuModel(file: string, target: McuTarget, o: McuBuildOptions, line: (text: string) => void, runner?: JobRunner): Promise<BuildOutput> {
  const budgets = parseBudgets(o, target);
  const g = await loadModel(file, { inputShapes: o.inputShape });
  const precision = chooseBuildPrecision(g, target, o.precision);
  const method = checkInt8Flags(o, precision.precision);
  if (o.constantTimeMac) checkConstantTimeMac(target, precision.precision);
  // A worst-case budget on a soft-float float32 build: the constant-time MAC when it gives the smaller bound.
  const worstBudget = budgets.some((b) => b.name === 'instructionsWorstCase');
  const choice = !o.constantTimeMac && worstBudget && precision.precision === 'float32' ? chooseConstantTimeMac(g, target) : null;
  const constantTimeMac = o.constantTimeMac === true || choice?.constantTimeMac === true;
  const data = loadFittedSplit(o.data, o, g);
  // int8: every candidate is priced as its int8 deployment. float32: activation zeros on validation samples refine
  // the soft-float instruction counts (no effect with an FPU).
  const int8 = precision.precision === 'int8';
  const cost = int8
    ? int8CostModel(await bindCostModel(target), data.train, o.denseWeights)
    : await bindCostModel(target, { graph: g, vectors: sampleVectors(g, data.validation, 16) }, { constantTimeMac });
  const trainer = await createFineTuner(o, data.train, g);
  const tuner = await buildFineTuner(o.data, o, g, runner, o.fineTunesBeside === true);
  line(`precision: ${precision.reason}${o.constantTimeMac ? ' · constant-time MAC (--constant-time-mac)' : ''}`);
  if (choice) {
    const n = (x: number) => formatCount(Math.round(x));
    line(`${choice.constantTimeMac ? 'constant-time MAC chosen' : 'library MAC kept'} for the worst-case budget: the dense model's predicted worst case ${n(choice.worstConstantTime)} instructions with the constant-time MAC, ${n(choice.worstDefault)} without`);
  }
  // (said of --workers and --queue; the default, side by side with one worker, says nothing)
  if (runner && o.fineTunesBeside !== true) line(`candidate fine-tunes run on ${tuner.description}`);
  try {
    return await buildForTarget({
      modelName: modelDisplayName(file),
      graph: g, target, data, trainer, cost, budgets,
      search: { ...searchOptions(o), tuner, seed: o.seed },
      verifyVectors: o.verifyVectors ?? DEFAULT_MCU_VERIFY_VECTORS,
      precision,
      constantTimeMac,
      int8: int8 ? { method, denseWeights: o.denseWeights, qatEpochs: o.qatEpochs, seed: o.seed, batchSize: o.batchSize, backend: o.backend } : undefined,
      events: {
        onPhase: (t) => line(t),
        onWarning: (w) => line(`warning: ${w}`),
        onIteration: (it) => line(iterationLine(it)),
      },
    });
  } finally {
    trainer.dispose();
  }
}
