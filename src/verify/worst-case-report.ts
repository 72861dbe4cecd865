// verify's worst-case section: the instructions measured on adversarial vectors next to the typical ones, the bound
// (exact, or built from per-step counts: src/cost/step-bound.ts), and the check measured ≤ bound (a bound exceeded is
// edgeprune's bug).

import { counterResolution } from '../cost/check-independence.js';
import { valueZeroFractions } from '../cost/activation-zeros.js';
import { calibrationPath, loadCalibration } from '../cost/calibration.js';
import { predictLowered } from '../cost/predict.js';
import { stepWorstCaseBound, type StepBoundRow, type StepVector } from '../cost/step-bound.js';
import { predictWorstCase, type KernelDependenceUse } from '../cost/worst-case.js';
import { isMacKey, type CoreClass } from '../cost/data-dependence.js';
import { currentWorstCaseCalibration } from '../cost/worst-case-calibration.js';
import type { CLibrary } from '../emit/c/compile-c.js';
import type { Tensor } from '../ir/tensor.js';
import type { McuTarget } from '../targets/schema.js';
import { ORDINARY_FILLS, type AdversarialVector } from './adversarial-vectors.js';
import type { StepCounts } from './step-counts.js';
import fs from 'node:fs';

export interface WorstCaseReport {
  core: CoreClass;
  /** Largest count over the typical (the user's) vectors. */
  typicalInstructions: number;
  /** Largest count over the adversarial vectors, and which vector gave it. */
  worstMeasuredInstructions: number;
  worstVector: string;
  adversarial: { name: string; instructions: number }[];
  /** The worst-case instruction count: exact when `exact`, else an upper bound. */
  instructionsWorstCase: number;
  exact: boolean;
  basis: string;
  /** bound ÷ worst measured − 1. */
  boundOverWorst: number;
  kernels: KernelDependenceUse[];
  /** Per layer step with code (nodes as in the model: escape them for display): dependent or not, typical, worst measured, its share of the bound. */
  steps: StepBoundRow[];
  /** The run's count outside the steps (its call and the counter's reads), and one step mark's cost in the step-marks build. */
  overhead: number;
  markCost: number;
  /** Every measured count ≤ the bound, and every data-independent step constant (else `problem` says what failed). */
  holds: boolean;
  problem?: string;
  /** What would make the bound tighter, when something known loosens it (each a sentence; model text escaped by the caller). */
  tighten: string[];
}

/** The known causes of a loose bound: kernels priced by default factors, the library soft-float MAC. */
export function tighteningAdvice(kernels: readonly KernelDependenceUse[], core: CoreClass, target: McuTarget, constantTimeMac: boolean): string[] {
  const out: string[] = [];
  const byFactor = kernels.filter((k) => k.dependent && k.worstFrom === 'factor').map((k) => k.key);
  if (byFactor.length) {
    out.push(`${byFactor.join(', ')}: priced at default worst-case factors, as ${target.name} has no worst-case calibration made with its current calibration; \`edgeprune calibrate --target ${target.name}\` makes one (on the other FPU boards the digits CNN's bound went from 83% over its worst measured to 1% with one)`);
  }
  const softMacs = kernels.filter((k) => k.dependent && isMacKey(k.key)).map((k) => k.key);
  if (core === 'thumb2-soft' && !constantTimeMac && softMacs.length) {
    out.push(`${softMacs.join(', ')}: every multiply-accumulate is priced at the soft-float MAC's slowest (libgcc) path, which no input drives every layer to; --constant-time-mac builds the MAC without branches on the data (a bound within about 0.5% of the worst measured, at about 3x the typical count)`);
  }
  return out;
}

/**
 * The report, or null when the target has no calibration (the bound needs the cost model). `steps`: the step-marks
 * build's counts of the same vectors, typical then adversarial (step-counts.ts).
 */
export function worstCaseReport(
  lib: CLibrary, target: McuTarget, typical: { inputs: Tensor[]; instructions: number }[], adversarial: (AdversarialVector & { instructions: number })[], steps: StepCounts,
): WorstCaseReport | null {
  if (!fs.existsSync(calibrationPath(target))) return null;
  const cal = loadCalibration(target);
  const resolution = counterResolution(target);
  const constantTimeMac = lib.view.constantTimeMac;
  const prediction = predictWorstCase(lib, target, cal, currentWorstCaseCalibration(target, cal), { constantTimeMac });
  const all = [
    ...typical.map((t, i) => ({ ...t, name: `typical vector ${i}`, typical: true })),
    // The ordinary adversarial vectors' errors count with the typical vectors' (ORDINARY_FILLS).
    ...adversarial.map((a) => ({ ...a, typical: ORDINARY_FILLS.has(a.name) })),
  ];
  if (steps.runs.length !== all.length) throw new Error(`${steps.runs.length} step-marks runs for ${all.length} vectors`);
  // With the constant-time MAC a zero product costs as much as any other: every vector's price is the typical one.
  const predictedSteps = (inputs: Tensor[]): number[] => {
    if (constantTimeMac) return prediction.steps.map((s) => s.typical);
    const layers = predictLowered(lib, target, { calibration: cal, valueZeros: valueZeroFractions(lib.graph, [inputs]) }).layers;
    return prediction.steps.map((s) => layers[s.step].instructions);
  };
  const vectors: StepVector[] = all.map((v, i) => ({
    name: v.name, typical: v.typical, total: v.instructions, steps: steps.runs[i].steps,
    predicted: v.typical && !prediction.independent ? predictedSteps(v.inputs) : prediction.steps.map((s) => s.typical),
  }));
  const bound = stepWorstCaseBound(prediction.steps.map((s) => ({ step: s.step, nodes: s.nodes, dependent: s.dependent, worst: s.worst, spread: s.spread })), vectors, resolution);
  const worst = adversarial.reduce((w, a) => (a.instructions > w.instructions ? a : w), { name: 'none', instructions: -Infinity });
  const over = all.find((r) => r.instructions > bound.instructionsWorstCase);
  // The step-marks build must be the firmware's code path: its count less its marks is the deployed build's.
  const marks = prediction.steps.length + 1;
  const offPath = all.map((v, i) => ({ v, off: steps.runs[i].total - marks * steps.markCost - v.instructions })).find(({ off }) => Math.abs(off) > 2 * resolution + 1);
  const problem = over
    ? `the worst-case bound ${bound.instructionsWorstCase} was exceeded: ${over.name} measured ${over.instructions} instructions on ${target.name} (edgeprune's bug: the data-dependence table or the worst-case coefficients are wrong; please report it)`
    : bound.varying.length
      ? `step ${bound.varying[0].step} is marked data-independent but its count varied by ${bound.varying[0].spread} instructions over the vectors on ${target.name}, more than the counter's resolution (edgeprune's bug: the data-dependence table is wrong; please report it)`
      : offPath
        ? `the step-marks build is not the firmware's code path: ${offPath.v.name} measured ${offPath.v.instructions} instructions, and ${steps.runs[all.indexOf(offPath.v)].total} with ${marks} marks of ${steps.markCost} (edgeprune's bug; please report it)`
        : undefined;
  return {
    core: prediction.core,
    typicalInstructions: Math.max(...typical.map((t) => t.instructions)),
    worstMeasuredInstructions: worst.instructions,
    worstVector: worst.name,
    adversarial: adversarial.map((a) => ({ name: a.name, instructions: a.instructions })),
    instructionsWorstCase: bound.instructionsWorstCase,
    exact: bound.exact,
    basis: bound.basis,
    boundOverWorst: bound.instructionsWorstCase / Math.max(worst.instructions, ...typical.map((t) => t.instructions)) - 1,
    kernels: prediction.kernels,
    steps: bound.steps,
    overhead: bound.overhead,
    markCost: steps.markCost,
    holds: problem === undefined,
    ...(problem ? { problem } : {}),
    tighten: bound.exact ? [] : tighteningAdvice(prediction.kernels, prediction.core, target, constantTimeMac === true),
  };
}
