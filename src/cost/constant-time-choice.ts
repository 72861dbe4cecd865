// build --deadline-ms (or --max-instructions-worst-case) on a soft-float Thumb-2 target without --constant-time-mac:
// take the constant-time MAC when the cost model gives the model a smaller worst-case bound with it.

import type { Graph } from '../ir/graph.js';
import type { McuTarget } from '../targets/schema.js';
import { loadCalibration } from './calibration.js';
import { coreClassOf } from './data-dependence.js';
import { kernelEstimator } from './estimator.js';
import { lowerForCost } from './lowered.js';
import { predictWorstCase } from './worst-case.js';
import { currentWorstCaseCalibration } from './worst-case-calibration.js';

export interface ConstantTimeChoice {
  constantTimeMac: boolean;
  /** The predicted worst-case instructions of the (dense) model with the library MAC and with the constant-time one. */
  worstDefault: number;
  worstConstantTime: number;
}

/** The choice for a float32 model on `target`, or null where the flag does not apply (an FPU, a Cortex-M0). */
export function chooseConstantTimeMac(g: Graph, target: McuTarget): ConstantTimeChoice | null {
  if (coreClassOf(target) !== 'thumb2-soft') return null;
  const cal = loadCalibration(target);
  const program = lowerForCost(g, { estimator: kernelEstimator(target, cal) });
  const worstCal = currentWorstCaseCalibration(target, cal);
  const worstDefault = predictWorstCase(program, target, cal, worstCal).worst;
  // (predictWorstCase takes only the non-MAC kernels' worst case from the calibration with the flag)
  const worstConstantTime = predictWorstCase(program, target, cal, worstCal, { constantTimeMac: true }).worst;
  return { constantTimeMac: worstConstantTime < worstDefault, worstDefault, worstConstantTime };
}
