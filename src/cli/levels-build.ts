// `build --levels 1.0,0.6,0.35` (or --level-instructions, --level-deadline-ms; issue 15 §2) from the command's flags:
// nested levels searched and fine-tuned jointly (src/levels/search-levels.ts), compiled into one C library with
// model_run_level(k), every level run in QEMU against the interpreter and narrowed until its measured count meets its
// budget, the flash compared with separate models; the output folder's files (c/ a project: Makefile, README, CMake).
// The precision is a single build's (int8 on an FPU-less core, --precision overrides): int8 levels are searched and
// fine-tuned in float32, priced and deployed as their post-training int8 quantizations (src/levels/int8-levels.ts).

import { sampleVectors } from '../build/build.js';
import { bindCostModel } from '../build/cost-binding.js';
import { UserError } from '../errors.js';
import { loadModel, modelDisplayName } from '../import/load-model.js';
import { aloneFlashBytes } from '../levels/alone-flash.js';
import { levelBudgetText, type LevelBudgets } from '../levels/level-budgets.js';
import { levelReport, type LevelReport } from '../levels/level-report.js';
import { verifyWithinBudgets } from '../levels/levels-on-target.js';
import { levelsProjectFiles } from '../levels/levels-project.js';
import { compileInt8LevelsToC, compileLevelsToC, DEFAULT_LEVEL_KERNELS, type LevelFigures } from '../levels/compile-levels.js';
import { int8LevelsDeployer } from '../levels/int8-levels.js';
import { LEVEL_KERNELS, type LevelKernels } from '../levels/shared-kernels.js';
import { levelSharing } from '../levels/level-sharing.js';
import { int8CostModel } from '../build/int8-deployment.js';
import { interpreterScore } from '../data/evaluate.js';
import { checkInt8Flags } from './build-options.js';
import { levelFailures, renderLevelsHtml, type LevelsBuildReport } from '../levels/levels-report.js';
import { fineTuneJointly } from '../levels/joint-fine-tune.js';
import { levelGraph, type NestedLevels } from '../levels/nested-levels.js';
import { searchLevels } from '../levels/search-levels.js';
import { exportOnnx } from '../onnx/export.js';
import { chooseBuildPrecision } from '../targets/precision.js';
import type { McuTarget } from '../targets/schema.js';
import { makeTempDir, removeTempDir } from '../util/temp-dir.js';
import { datasetVectors } from '../verify/dataset-vectors.js';
import type { McuBuildOptions } from './mcu-build.js';
import { loadFittedSplit } from './data-options.js';
import { createFineTuner } from './training-options.js';

export interface LevelsCliOptions extends Omit<McuBuildOptions, 'levels'> {
  /** Each level's budget (src/levels/level-budgets.ts) and the measure it applies to. */
  budgets: LevelBudgets;
  /** Joint fine-tuning epochs per level. */
  levelEpochs: number;
  /** --level-kernels as given (int8 levels only). */
  levelKernels?: string;
}

/** --level-kernels checked: one of LEVEL_KERNELS, and int8 levels only (float32 levels' kernels are inlined). */
export function levelKernelsOption(given: string | undefined, int8: boolean, why: string): LevelKernels | undefined {
  if (given === undefined) return undefined;
  if (!(LEVEL_KERNELS as readonly string[]).includes(given)) throw new UserError(`--level-kernels must be ${LEVEL_KERNELS.join(', ')}, got '${given}'`, 'shared (the default) shares one function per layer, for about 1% more instructions; inline shares nothing');
  if (!int8) throw new UserError(`--level-kernels applies to int8 levels, and these levels are float32 (${why})`, 'drop --level-kernels (float32 levels share their weights; their kernels stay inlined), or give --precision int8');
  return given as LevelKernels;
}

/** Test vectors each level runs on in QEMU by default (each level runs them all, and the adversarial ones). */
export const DEFAULT_LEVEL_VERIFY_VECTORS = 100;

export async function buildLevels(file: string, target: McuTarget, o: LevelsCliOptions, line: (text: string) => void): Promise<{ report: LevelsBuildReport; files: Map<string, string | Uint8Array> }> {
  const g = await loadModel(file, { inputShapes: o.inputShape });
  const precision = chooseBuildPrecision(g, target, o.precision);
  const method = checkInt8Flags(o, precision.precision);
  const int8 = precision.precision === 'int8';
  if (int8 && o.qatEpochs !== undefined) throw new UserError(`--qat-epochs with ${o.budgets.flag}: int8 levels are quantized post-training (quantization-aware fine-tuning of nested levels that share their weights is not built)`, 'drop --qat-epochs');
  const data = loadFittedSplit(o.data, o, g);
  const cost = int8 ? int8CostModel(await bindCostModel(target), data.train, o.denseWeights) : await bindCostModel(target, { graph: g, vectors: sampleVectors(g, data.validation, 16) });
  const kernels = levelKernelsOption(o.levelKernels, int8, precision.reason);
  const deployer = int8 ? int8LevelsDeployer(data.train, { method, denseWeights: o.denseWeights }) : null;
  line(`precision: ${precision.reason}${int8 ? ` · each level quantized post-training (${method} ranges), a kept channel's int8 weights shared with level 0 · level kernels: ${kernels ?? DEFAULT_LEVEL_KERNELS}` : ''}`);
  const compile = (levels: NestedLevels, figures: LevelFigures[]) => (deployer ? compileInt8LevelsToC(deployer.graphs(levels), { prefix: 'model', target, figures, kernels }) : compileLevelsToC(levels, { prefix: 'model', target, figures }));
  const trainer = await createFineTuner(o, data.train, g);
  const work = makeTempDir('levels-build');
  try {
    const { budgets } = o;
    const measure = budgets.measure;
    const limits = budgets.instructions ? { instructions: budgets.instructions } : { fractions: budgets.values };
    const found = await searchLevels(g, data, { ...limits, cost: (x) => cost.costs(x), trainer, epochs: o.levelEpochs, seed: o.seed, measure, criterion: { kind: o.criterion as 'l1' | 'l2' | 'redundancy' }, onProgress: line });
    line('compiling the levels into one library (model_run_level)');
    const label = (k: number) => `level ${k}: ${levelBudgetText(budgets, k)}`;
    const vectors = datasetVectors(levelGraph(found.levels, 0), data.test, o.verifyVectors ?? DEFAULT_LEVEL_VERIFY_VECTORS);
    const verifyLevels = (levels: NestedLevels, steps: readonly number[]) => verifyWithinBudgets({
      levels, steps, budgets, cost: (x) => cost.costs(x), target, vectors, log: line,
      // The table's worst case: the cost model's while the library is verified, then the verified bound (the table is
      // constants apart from the code: the library written is the one verified, with the measured figures in it).
      compile: (l) => compile(l, tableFigures(l.keep.map((_, k) => cost.costs(levelGraph(l, k)).instructionsWorstCase), found.perLevel.map((r) => r.test), label)),
    });
    let onTarget = await verifyLevels(found.levels, found.perLevel.map((l) => l.step));
    // A narrowed level is the shared weights sliced narrower than they were fine-tuned at: the levels are fine-tuned
    // jointly again at the widths verified, and those weights verified (the same structure, so the same counts).
    const fineTunedAgain = onTarget.rounds.length > 0 && o.levelEpochs > 0;
    if (fineTunedAgain) {
      line(`joint fine-tune again at the narrowed widths (${onTarget.levels.keep.length} levels, ${o.levelEpochs} epoch${o.levelEpochs === 1 ? '' : 's'})`);
      const tuned = await fineTuneJointly(onTarget.levels, [trainer], {
        epochs: o.levelEpochs, seed: o.seed, onStep: ({ epoch, level }) => line(`joint fine-tune again: epoch ${epoch + 1}/${o.levelEpochs}, level ${level}`),
      });
      const again = await verifyLevels(tuned, onTarget.steps);
      onTarget = { ...again, rounds: [...onTarget.rounds, ...again.rounds] };
    }
    // A level fine-tuned again or narrowed: its accuracy measured anew.
    const perLevel: LevelReport[] = [];
    for (const [k, l] of found.perLevel.entries()) {
      const graph = levelGraph(onTarget.levels, k);
      perLevel.push(!fineTunedAgain && onTarget.steps[k] === l.step ? l : await levelReport({ ...l, step: onTarget.steps[k], keep: onTarget.levels.keep[k] as Record<string, number>, graph }, found.reference, data, trainer, cost.costs(graph)));
    }
    // int8: each level's test accuracy as deployed (the interpreter runs the int8 graph the library was verified on).
    const int8Test = int8 ? onTarget.lib.graphs.map((graph) => interpreterScore(graph, data.test)) : null;
    line('linking each level alone (the flash separate models would take)');
    const aloneBytes = await aloneFlashBytes(onTarget.alone, target, work);
    const ms = (n: number) => (n * target.cyclesPerInstruction * 1000) / target.clockHz;
    const verification = onTarget.verification;
    const levels = perLevel.map((l, k) => {
      const v = verification.levels[k];
      const measured = onTarget.measured[k];
      const limit = onTarget.limits[k];
      return {
        ...l,
        int8: int8Test && { test: int8Test[k], testDrop: (found.dense.test - int8Test[k]) * 100 },
        measured: { comparison: v.comparison, outputsMatch: v.outputsMatch, instructions: v.instructions, worstMeasured: v.worstMeasured, worstVector: v.worstVector, bound: v.bound, estimatedWorstMs: ms(v.bound), onTargetAccuracy: v.accuracy?.onTarget ?? null, vectors: v.vectors, passed: v.passed, problem: v.problem },
        budget: { given: levelBudgetText(budgets, k), limit, measured, met: measured <= limit, overBy: measured > limit ? measured - limit : null, searchedStep: found.perLevel[k].step },
      };
    });
    const bounds = verification.levels.map((v) => v.bound);
    const written = bounds.every(Number.isFinite) ? compile(onTarget.levels, tableFigures(bounds, int8Test ?? perLevel.map((l) => l.test), label)) : onTarget.lib;
    const files = new Map<string, string | Uint8Array>();
    for (const [name, text] of written.files) files.set(`c/${name}`, text);
    for (const [name, text] of levelsProjectFiles(written, target)) files.set(`c/${name}`, text);
    files.set('model.onnx', exportOnnx(onTarget.levels.full));
    files.set('levels.json', `${JSON.stringify({ format: 'edgeprune-levels/1', keep: onTarget.levels.keep }, null, 2)}\n`);
    const partial = { levels, maxDropPoints: o.maxDrop };
    const failed = levelFailures(partial);
    if (onTarget.stoppedBecause) failed.push(`narrowing stopped: ${onTarget.stoppedBecause}`);
    const report: LevelsBuildReport = {
      kind: 'levels', model: modelDisplayName(file),
      target: { name: target.name, description: target.description, clockHz: target.clockHz, cyclesPerInstruction: target.cyclesPerInstruction },
      precision: { precision: precision.precision, reason: precision.reason },
      quantization: deployer && { ...deployer.summary, levels: levelSharing(written), kernels: { mode: written.kernels, shared: written.sharedKernels.map((k) => ({ kernel: k.kernel, calls: k.calls })) } },
      measure, budgets: { kind: budgets.kind, flag: budgets.flag, values: budgets.values }, maxDropPoints: o.maxDrop, jointEpochs: o.levelEpochs, dense: { ...found.dense, measured: onTarget.denseMeasured },
      levels, narrowing: { rounds: onTarget.rounds, stoppedBecause: onTarget.stoppedBecause, fineTunedAgain },
      flash: { levelsBytes: verification.flashBytes, aloneBytes, ratioToLargest: aloneBytes[0] > 0 ? verification.flashBytes / aloneBytes[0] : NaN, copiedWeightBytes: written.copiedBytes },
      arenaBytes: written.arenaBytes,
      passed: failed.length === 0, failed,
      files: [...files.keys(), 'report.json', 'report.html'].sort(),
    };
    files.set('report.json', `${JSON.stringify(report, null, 2)}\n`);
    files.set('report.html', renderLevelsHtml(report));
    return { report, files };
  } finally {
    trainer.dispose();
    removeTempDir(work);
  }
}

/** The library's table: each level's label, worst-case bound (the cost model's, then the verified one) and test accuracy. */
function tableFigures(bounds: readonly number[], accuracy: readonly number[], label: (k: number) => string): LevelFigures[] {
  return bounds.map((b, k) => ({ label: label(k), instructionsWorstCase: Math.ceil(b), accuracy: accuracy[k] }));
}
