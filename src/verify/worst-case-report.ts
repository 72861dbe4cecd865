// verify's worst-case section: the instructions measured on adversarial vectors next to the typical ones, the bound
// (exact, or the cost model's worst branch), and the check measured ≤ bound (a bound exceeded is edgeprune's bug).

import { counterResolution } from '../cost/check-independence.js';
import { valueZeroFractions } from '../cost/activation-zeros.js';
import { calibrationPath, loadCalibration } from '../cost/calibration.js';
import { predictLowered } from '../cost/predict.js';
import { predictWorstCase, worstCaseBound, type KernelDependenceUse } from '../cost/worst-case.js';
import type { CoreClass } from '../cost/data-dependence.js';
import { currentWorstCaseCalibration } from '../cost/worst-case-calibration.js';
import type { CLibrary } from '../emit/c/compile-c.js';
import type { Tensor } from '../ir/tensor.js';
import type { McuTarget } from '../targets/schema.js';
import { ORDINARY_FILLS, type AdversarialVector } from './adversarial-vectors.js';
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
  /** Every measured count ≤ the bound (else `problem` says which vector exceeded it). */
  holds: boolean;
  problem?: string;
}

/** The report, or null when the target has no calibration (the bound needs the cost model). */
export function worstCaseReport(
  lib: CLibrary, target: McuTarget, typical: { inputs: Tensor[]; instructions: number }[], adversarial: (AdversarialVector & { instructions: number })[],
): WorstCaseReport | null {
  if (!fs.existsSync(calibrationPath(target))) return null;
  const cal = loadCalibration(target);
  const constantTimeMac = lib.view.constantTimeMac;
  const prediction = predictWorstCase(lib, target, cal, currentWorstCaseCalibration(target, cal), { constantTimeMac });
  // With the constant-time MAC a zero product costs as much as any other: every vector's prediction is the typical one.
  // The ordinary adversarial vectors' errors count with the typical vectors' (ORDINARY_FILLS).
  const ordinary = adversarial.filter((a) => ORDINARY_FILLS.has(a.name));
  const typicalPairs = prediction.independent ? [] : [...typical, ...ordinary].map((t) => ({
    measured: t.instructions,
    predicted: constantTimeMac ? prediction.typical : predictLowered(lib, target, { calibration: cal, valueZeros: valueZeroFractions(lib.graph, [t.inputs]) }).instructions,
  }));
  const all = [...typical, ...adversarial];
  const bound = worstCaseBound(prediction, typicalPairs, all.map((r) => r.instructions), counterResolution(target));
  const worst = adversarial.reduce((w, a) => (a.instructions > w.instructions ? a : w), { name: 'none', instructions: -Infinity });
  const over = all.map((r, i) => ({ r, name: i < typical.length ? `typical vector ${i}` : adversarial[i - typical.length].name })).find(({ r }) => r.instructions > bound.instructionsWorstCase);
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
    holds: !over,
    ...(over ? { problem: `the worst-case bound ${bound.instructionsWorstCase} was exceeded: ${over.name} measured ${over.r.instructions} instructions on ${target.name} (edgeprune's bug: the data-dependence table or the worst-case coefficients are wrong; please report it)` } : {}),
  };
}
