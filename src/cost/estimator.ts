// The cost model as the C emitter's kernel estimator: instructions and flash of candidate kernel calls on one target,
// so that compileToC picks the dense or the weight-sparse kernel of a layer by the target's calibration.

import fs from 'node:fs';
import type { CCall } from '../emit/c/c-step.js';
import type { KernelEstimate, KernelEstimator } from '../emit/c/sparse-choice.js';
import type { McuTarget } from '../targets/schema.js';
import { calibrationContext, calibrationPath, loadCalibration, type Calibration } from './calibration.js';
import { analyzeCall, CostModelError, type KernelUse, type ZeroFractions } from './kernels.js';
import { weightArrayBytes } from './weight-bytes.js';

function dot(coefficients: Record<string, number>, counts: Record<string, number>): number {
  let s = 0;
  for (const [k, v] of Object.entries(counts)) s += (coefficients[k] ?? 0) * v;
  return s;
}

/** Terms a use has that the calibration lacks (a formula changed after calibrating). */
function missingTerms(coefficients: Record<string, number>, counts: Record<string, number>): string[] {
  return Object.entries(counts).filter(([k, v]) => v !== 0 && !(k in coefficients)).map(([k]) => k);
}

/** One kernel call priced by a calibration, or why it cannot be (no formula, no calibration, a stale formula). */
export type CallCost =
  | { key: string; instructions: number; codeBytes: number; stackBytes: number; macs: number; problem?: undefined }
  | { key?: string; problem: string };

export function callCost(call: CCall, cal: Calibration, zeroFraction?: ZeroFractions): CallCost {
  let use: KernelUse;
  try {
    use = analyzeCall(call, zeroFraction, calibrationContext(cal));
  } catch (e) {
    if (e instanceof CostModelError) return { problem: e.message };
    throw e;
  }
  const k = cal.kernels[use.key];
  const recalibrate = `recalibrate with edgeprune calibrate --target ${cal.target}`;
  if (!k) return { key: use.key, problem: `kernel key '${use.key}' has no calibration for ${cal.target} (its calibration predates the kernel): ${recalibrate}` };
  const missing = [...missingTerms(k.instructions, use.time), ...missingTerms(k.codeBytes, use.code)];
  if (missing.length) return { key: use.key, problem: `the calibration of '${use.key}' for ${cal.target} lacks the terms ${missing.join(', ')}: ${recalibrate}` };
  return { key: use.key, instructions: dot(k.instructions, use.time), codeBytes: dot(k.codeBytes, use.code), stackBytes: k.stackBytes, macs: use.macs };
}

/** Instructions and flash (code + distinct weight arrays) of calls; undefined when a call cannot be priced. */
export function estimateCalls(calls: CCall[], cal: Calibration): KernelEstimate | undefined {
  let instructions = 0;
  let flashBytes = 0;
  const weights = new Set<string>();
  for (const call of calls) {
    const c = callCost(call, cal);
    if (c.problem !== undefined) return undefined;
    instructions += c.instructions;
    flashBytes += c.codeBytes;
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
