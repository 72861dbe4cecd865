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

const prunedCnn = (sparsity: number) => {
  const g = digitsCnn();
  return applyMasks(g, magnitudeMasks(g, sparsity, 'layer'));
};
const halfPruned = () => prunedCnn(0.5);

const picks = (target: string, sparsity = 0.5) => {
  const lib = compileToC(prunedCnn(sparsity), { estimator: targetEstimator(findMcuTarget(target)) });
  return Object.fromEntries(lib.steps.filter((s) => s.sparse).map((s) => [s.nodes[0], s.sparse!]));
};

describe('the cost model as the kernel estimator', () => {
  it("chooses per target from the target's calibration: the sparse conv once its packed weights are smaller", () => {
    const m4 = picks('stm32f405');
    const m3 = picks('lm3s6965');
    // At 50% zeros the sparse conv is faster on both (its estimates), but 8 bytes per non-zero weight are not less
    // flash than the dense 4 per weight.
    for (const d of [m4.conv2, m3.conv2]) {
      expect(d.kernel).toBe('dense');
      expect(d.sparse!.instructions).toBeLessThan(d.dense.instructions);
      expect(d.sparse!.flashBytes).toBeGreaterThan(d.dense.flashBytes);
    }
    expect(m3.conv2.reason).toMatch(/target cost model/);
    // The soft-float target's estimate of the dense conv is many times the FPU target's.
    expect(m3.conv2.dense.instructions).toBeGreaterThan(10 * m4.conv2.dense.instructions);
    expect(m4.fc1.kernel).toBe('sparse');
    // At 70% both take the sparse conv.
    expect([picks('stm32f405', 0.7).conv2.kernel, picks('lm3s6965', 0.7).conv2.kernel]).toEqual(['sparse', 'sparse']);
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
