// `build --levels 1.0,0.6,0.35` (issue 15 §2) from the command's flags: nested levels searched and fine-tuned jointly
// (src/levels/search-levels.ts), compiled into one C library with model_run_level(k), every level run in QEMU against
// the interpreter with its worst case bounded, the flash compared with separate models; the output folder's files.

import { sampleVectors } from '../build/build.js';
import { bindCostModel } from '../build/cost-binding.js';
import { UserError } from '../errors.js';
import { loadModel, modelDisplayName } from '../import/load-model.js';
import { aloneFlashBytes, aloneLibraries } from '../levels/alone-flash.js';
import { compileLevelsToC } from '../levels/compile-levels.js';
import { levelFailures, renderLevelsHtml, type LevelsBuildReport } from '../levels/levels-report.js';
import { levelGraph } from '../levels/nested-levels.js';
import { searchLevels } from '../levels/search-levels.js';
import { verifyLevelsOnTarget } from '../levels/verify-levels.js';
import { exportOnnx } from '../onnx/export.js';
import { chooseBuildPrecision } from '../targets/precision.js';
import type { McuTarget } from '../targets/schema.js';
import { makeTempDir, removeTempDir } from '../util/temp-dir.js';
import { datasetVectors } from '../verify/dataset-vectors.js';
import type { McuBuildOptions } from './mcu-build.js';
import { loadFittedSplit } from './data-options.js';
import { createFineTuner } from './training-options.js';

export interface LevelsCliOptions extends Omit<McuBuildOptions, 'levels'> {
  levels: number[];
  /** Joint fine-tuning epochs per level. */
  levelEpochs: number;
  /** What the fractions are of: the dense model's predicted typical instructions, or its worst case. */
  levelMeasure: 'typical' | 'worst-case';
}

/** Test vectors each level runs on in QEMU by default (each level runs them all, and the adversarial ones). */
export const DEFAULT_LEVEL_VERIFY_VECTORS = 100;

export async function buildLevels(file: string, target: McuTarget, o: LevelsCliOptions, line: (text: string) => void): Promise<{ report: LevelsBuildReport; files: Map<string, string | Uint8Array> }> {
  const g = await loadModel(file, { inputShapes: o.inputShape });
  const precision = chooseBuildPrecision(g, target, o.precision);
  if (precision.precision !== 'float32') throw new UserError(`--levels compiles float32 levels, and this build would be ${precision.precision} (${precision.reason})`, 'pass --precision float32 (int8 levels are not built yet)');
  const data = loadFittedSplit(o.data, o, g);
  const cost = await bindCostModel(target, { graph: g, vectors: sampleVectors(g, data.validation, 16) });
  const trainer = await createFineTuner(o, data.train, g);
  const work = makeTempDir('levels-build');
  try {
    const measure = o.levelMeasure === 'worst-case' ? 'instructionsWorstCase' : 'instructions';
    const found = await searchLevels(g, data, { fractions: o.levels, cost: (x) => cost.costs(x), trainer, epochs: o.levelEpochs, seed: o.seed, measure, criterion: { kind: o.criterion as 'l1' | 'l2' | 'redundancy' }, onProgress: line });
    line('compiling the levels into one library (model_run_level)');
    const label = (k: number) => `level ${k}: ${o.levels[k]} of the dense instructions`;
    // The table's worst case: the cost model's while the library is verified, then the verified bound (the table is
    // constants apart from the code: the library written is the one verified, with the measured figures in it).
    const compile = (worstCase: (k: number) => number) => compileLevelsToC(found.levels, {
      prefix: 'model', target,
      figures: found.perLevel.map((l, k) => ({ label: label(k), instructionsWorstCase: Math.ceil(worstCase(k)), accuracy: l.test })),
    });
    const lib = compile((k) => found.perLevel[k].instructionsWorstCase);
    const alone = aloneLibraries(found.levels, target);
    const vectors = datasetVectors(levelGraph(found.levels, 0), data.test, o.verifyVectors ?? DEFAULT_LEVEL_VERIFY_VECTORS);
    const verification = await verifyLevelsOnTarget(lib, found.levels, alone, target, vectors, line);
    line('linking each level alone (the flash separate models would take)');
    const aloneBytes = await aloneFlashBytes(alone, target, work);
    const ms = (n: number) => (n * target.cyclesPerInstruction * 1000) / target.clockHz;
    const levels = found.perLevel.map((l, k) => {
      const v = verification.levels[k];
      return {
        ...l,
        measured: { instructions: v.instructions, worstMeasured: v.worstMeasured, worstVector: v.worstVector, bound: v.bound, estimatedWorstMs: ms(v.bound), onTargetAccuracy: v.accuracy?.onTarget ?? null, vectors: v.vectors, passed: v.passed, problem: v.problem },
      };
    });
    const bounds = verification.levels.map((v) => v.bound);
    const written = bounds.every(Number.isFinite) ? compile((k) => bounds[k]) : lib;
    const files = new Map<string, string | Uint8Array>();
    for (const [name, text] of written.files) files.set(`c/${name}`, text);
    files.set('model.onnx', exportOnnx(found.levels.full));
    files.set('levels.json', `${JSON.stringify({ format: 'edgeprune-levels/1', keep: found.levels.keep }, null, 2)}\n`);
    const partial = { levels, maxDropPoints: o.maxDrop };
    const failed = levelFailures(partial);
    const report: LevelsBuildReport = {
      kind: 'levels', model: modelDisplayName(file),
      target: { name: target.name, description: target.description, clockHz: target.clockHz, cyclesPerInstruction: target.cyclesPerInstruction },
      measure, maxDropPoints: o.maxDrop, jointEpochs: o.levelEpochs, dense: found.dense, levels,
      flash: { levelsBytes: verification.flashBytes, aloneBytes, ratioToLargest: aloneBytes[0] > 0 ? verification.flashBytes / aloneBytes[0] : NaN, copiedWeightBytes: lib.copiedBytes },
      arenaBytes: lib.arenaBytes,
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
