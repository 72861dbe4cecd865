// worstCaseReport takes the cost model's error on the ordinary adversarial vector (random non-zero) as on a typical
// one, per step: real data whose zeros take cheap branches must not hide the cost model's under-prediction.
import { describe, expect, it } from 'vitest';
import { digitsMlp } from '../../bench/cost-models.js';
import { targetEstimator } from '../../src/cost/estimator.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { adversarialVectors, ORDINARY_FILLS } from '../../src/verify/adversarial-vectors.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { worstCaseReport } from '../../src/verify/worst-case-report.js';

describe('worstCaseReport and the ordinary vectors', () => {
  it('adds the random vector\'s under-prediction of a step to its bound, and not that of another vector', () => {
    const target = findMcuTarget('lm3s6965');
    const g = digitsMlp();
    const lib = compileToC(g, { target, estimator: targetEstimator(target) });
    const codeSteps = lib.steps.filter((s) => s.calls.length).length;
    const typical = loadVectors(g, { count: 1, seed: 1 }).inputs.map((inputs) => ({ inputs, instructions: 1000 }));
    const adversarial = adversarialVectors(g).map((a) => ({ ...a, instructions: 1000 }));
    const random = adversarial.find((a) => ORDINARY_FILLS.has(a.name))!;
    const ones = adversarial.find((a) => a.name === 'all ones')!;
    expect(random.name).toBe('random non-zero');
    // Every step's count 1 (the cost model over-predicts them all) but the first step's on one vector: 10 million.
    const report = (dear: { name: string }) => worstCaseReport(lib, target, typical, adversarial, {
      markCost: 0,
      runs: [...typical.map(() => null), ...adversarial].map((a) => ({ total: 1000, steps: Array.from({ length: codeSteps }, (_, j) => (a === dear && j === 0 ? 1e7 : 1)) })),
    })!;
    const withRandom = report(random);
    const withOnes = report(ones);
    expect(withRandom.steps[0].dependent).toBe(true);
    expect(withRandom.steps[0].underPrediction).toBeGreaterThan(1e7 - 1e6);
    expect(withOnes.steps[0].underPrediction).toBe(0);
    expect(withRandom.holds).toBe(true);
  });
});
