// The cost model as the C emitter's kernel estimator: instructions and flash of candidate kernel calls on one target,
// so that compileToC picks the dense or the weight-sparse kernel of a layer by the target's calibration.

import fs from 'node:fs';
import type { CCall } from '../emit/c/c-step.js';
import type { KernelEstimate, KernelEstimator } from '../emit/c/sparse-choice.js';
import type { McuTarget } from '../targets/schema.js';
import { calibrationPath, loadCalibration, type Calibration } from './calibration.js';
import { analyzeCall, CostModelError } from './kernels.js';
import { weightArrayBytes } from './weight-bytes.js';

export function dot(coefficients: Record<string, number>, counts: Record<string, number>): number {
  let s = 0;
  for (const [k, v] of Object.entries(counts)) s += (coefficients[k] ?? 0) * v;
  return s;
}

/** Instructions and flash (code + distinct weight arrays) of calls; undefined when a call has no calibrated formula. */
export function estimateCalls(calls: CCall[], cal: Calibration): KernelEstimate | undefined {
  let instructions = 0;
  let flashBytes = 0;
  const weights = new Set<string>();
  for (const call of calls) {
    let use;
    try {
      use = analyzeCall(call);
    } catch (e) {
      if (e instanceof CostModelError) return undefined;
      throw e;
    }
    const k = cal.kernels[use.key];
    if (!k) return undefined;
    instructions += dot(k.instructions, use.time);
    flashBytes += dot(k.codeBytes, use.code);
    for (const a of call.args) {
      if (a.kind !== 'weight' || weights.has(a.weight.key)) continue;
      weights.add(a.weight.key);
      flashBytes += weightArrayBytes(a);
    }
  }
  return { instructions, flashBytes };
}

/** The estimator of `target` (its committed calibration unless one is given). */
export function kernelEstimator(target: McuTarget, calibration?: Calibration): KernelEstimator {
  const cal = calibration ?? loadCalibration(target);
  return (calls) => estimateCalls(calls, cal);
}

/**
 * The estimator compile, verify and build use for `target`: its calibration's when the target has one
 * (targets/calibration/<name>.json), else undefined (the emitter's built-in estimates).
 */
export function targetEstimator(target: McuTarget): KernelEstimator | undefined {
  return fs.existsSync(calibrationPath(target)) ? kernelEstimator(target) : undefined;
}
