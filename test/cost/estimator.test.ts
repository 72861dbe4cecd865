// The cost model as the emitter's estimator: the dense/sparse choice per layer follows each target's calibration,
// and predictCost lowers exactly as compileToC does for that target.
import { describe, expect, it } from 'vitest';
import { digitsCnn } from '../../bench/cost-models.js';
import { estimateCalls, kernelEstimator, targetEstimator } from '../../src/cost/estimator.js';
import { loadCalibration } from '../../src/cost/calibration.js';
import { predictCost } from '../../src/cost/predict.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { applyMasks, magnitudeMasks } from '../../src/prune/weight-masks.js';

const halfPruned = () => {
  const g = digitsCnn();
  return applyMasks(g, magnitudeMasks(g, 0.5, 'layer'));
};

const picks = (target: string) => {
  const lib = compileToC(halfPruned(), { estimator: targetEstimator(findMcuTarget(target)) });
  return Object.fromEntries(lib.steps.filter((s) => s.sparse).map((s) => [s.nodes[0], s.sparse!]));
};

describe('the cost model as the kernel estimator', () => {
  it('chooses per target: soft float (lm3s6965) takes the sparse conv at 50% zeros, the FPU targets keep it dense', () => {
    const m4 = picks('stm32f405');
    const m3 = picks('lm3s6965');
    expect(m4.conv2.kernel).toBe('dense');
    expect(m3.conv2.kernel).toBe('sparse');
    expect(m3.conv2.reason).toMatch(/target cost model/);
    // The soft-float target's estimate of the dense conv is many times the FPU target's.
    expect(m3.conv2.dense.instructions).toBeGreaterThan(10 * m4.conv2.dense.instructions);
    expect(m4.fc1.kernel).toBe('sparse');
  });

  it('estimates calls as the prediction sums them, and gives up on kernels without a formula', () => {
    const target = findMcuTarget('stm32f405');
    const cal = loadCalibration(target);
    const g = halfPruned();
    const lib = compileToC(g, { estimator: kernelEstimator(target, cal) });
    const predicted = predictCost(g, target);
    lib.steps.forEach((step, i) => {
      if (!step.calls.length) return;
      const e = estimateCalls(step.calls, cal)!;
      expect(e.instructions, step.summary).toBeCloseTo(predicted.layers[i].instructions, 6);
    });
    expect(estimateCalls([{ kernel: 'ep_no_such_kernel', args: [] }], cal)).toBeUndefined();
  });

  it('predictCost lowers as compileToC does with the target estimator (same kernels per step)', () => {
    for (const name of ['stm32f405', 'lm3s6965']) {
      const target = findMcuTarget(name);
      const g = halfPruned();
      const lib = compileToC(g, { estimator: targetEstimator(target) });
      const predicted = predictCost(g, target);
      expect(predicted.layers.map((l) => l.kernel), name).toEqual(lib.steps.map((s) => (s.calls.length ? [...new Set(s.calls.map((c) => c.kernel))].join('+') : 'view')));
    }
  });
});
