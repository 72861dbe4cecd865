// Check the data-dependence table in QEMU: the calibration suite's cases of the kernel keys the table marks
// data-independent on a target's core, run on a typical vector and every vector verify's worst case runs (the
// adversarial ones and NaNs), must give the same instruction count (to the emulator counter's resolution). A key that
// varies is a wrong entry of the table.

import type { McuTarget } from '../targets/schema.js';
import { worstCaseVectors } from '../verify/adversarial-vectors.js';
import { calibrationContext, loadCalibration } from './calibration.js';
import { coreClassOf, kernelDependence, type DependenceOptions } from './data-dependence.js';
import { analyzeCall } from './kernels.js';
import { lowerForCost } from './lowered.js';
import { measureSuiteCases } from './measure.js';
import { calibrationSuite } from './suite.js';
import { worstCaseMeasureCase } from './suite-worst-case.js';

export interface IndependenceCheck {
  key: string;
  case: string;
  /** Instructions per vector: the typical one first, then worstCaseVectors'. */
  runs: number[];
  /** max − min over the runs. */
  spread: number;
}

/** The counter's resolution: instructions per SysTick tick under -icount shift=0 (1 ns per instruction). */
export const counterResolution = (target: McuTarget): number => 1e9 / target.emulator.systickHz;

/**
 * Run the first suite case of each key marked independent on `target` (or of the keys `pick` keeps) on the typical
 * vector and worstCaseVectors; the caller asserts spread ≤ counterResolution(target). `options.constantTimeMac`: the cases
 * built with --constant-time-mac, the keys the table marks independent under it.
 */
export async function checkIndependence(target: McuTarget, pick: (key: string) => boolean = () => true, log?: (l: string) => void, options: DependenceOptions = {}): Promise<IndependenceCheck[]> {
  const ctx = calibrationContext(loadCalibration(target));
  const core = coreClassOf(target);
  const seen = new Set<string>();
  const cases = calibrationSuite().flatMap((c) => {
    const calls = lowerForCost(c.graph, { sparse: c.sparse }).steps.flatMap((s) => s.calls);
    if (calls.length === 0) return [];
    const key = analyzeCall(calls[0], () => 0, ctx).key;
    if (seen.has(key) || kernelDependence(key, core, options).dependent || !pick(key)) return [];
    seen.add(key);
    return [{ key, c }];
  });
  const measured = await measureSuiteCases(target, cases.map(({ c }) => worstCaseMeasureCase(c, worstCaseVectors(c.graph))), { log, constantTimeMac: options.constantTimeMac });
  return cases.map(({ key, c }, i) => {
    const runs = measured[i].runs;
    return { key, case: c.name, runs, spread: Math.max(...runs) - Math.min(...runs) };
  });
}
