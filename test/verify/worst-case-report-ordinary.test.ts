// worstCaseReport takes the cost model's error on the ordinary adversarial vector (random non-zero) as on a typical
// one: real data whose zeros take cheap branches must not hide the data-independent kernels' under-prediction.
import { describe, expect, it } from 'vitest';
import { digitsMlp } from '../../bench/cost-models.js';
import { targetEstimator } from '../../src/cost/estimator.js';
import { compileToC } from '../../src/emit/c/compile-c.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import { adversarialVectors, ORDINARY_FILLS } from '../../src/verify/adversarial-vectors.js';
import { loadVectors } from '../../src/verify/vectors.js';
import { worstCaseReport } from '../../src/verify/worst-case-report.js';

describe('worstCaseReport and the ordinary vectors', () => {
  it('adds the random vector\'s under-prediction to the bound, and not that of another vector', () => {
    const target = findMcuTarget('lm3s6965');
    const g = digitsMlp();
    const lib = compileToC(g, { target, estimator: targetEstimator(target) });
    const typical = loadVectors(g, { count: 1, seed: 1 }).inputs.map((inputs) => ({ inputs, instructions: 1000 }));
    const adversarial = adversarialVectors(g);
    const random = adversarial.find((a) => ORDINARY_FILLS.has(a.name))!;
    expect(random.name).toBe('random non-zero');
    // Every count small (the cost model over-predicts them all) but the random vector's, 10 million more.
    const withRandom = worstCaseReport(lib, target, typical, adversarial.map((a) => ({ ...a, instructions: a === random ? 1e7 : 1000 })))!;
    const withoutIt = worstCaseReport(lib, target, typical, adversarial.map((a) => ({ ...a, instructions: 1000 })))!;
    expect(withoutIt.basis).toContain('over-predicted every typical vector');
    expect(withRandom.instructionsWorstCase).toBeGreaterThan(withoutIt.instructionsWorstCase + 1e7 - 1e6);
    expect(withRandom.holds).toBe(true);
  });
});
