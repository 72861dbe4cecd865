// Measured, not only predicted: a level over its budget on target goes to the smallest step whose prediction, scaled
// by its measured ÷ predicted, fits; levels below follow (nested); the loop verifies again until met or stuck.
import { describe, expect, it } from 'vitest';
import { fractionLimits } from '../../src/levels/levels-on-target.js';
import { narrowLevels, narrowUntilMet } from '../../src/levels/narrow-levels.js';

/** A cost model linear in the share removed: 1000 instructions dense. */
const linear = (step: number) => 1000 * (1 - step);

describe('narrowLevels', () => {
  it('leaves levels within their budget as they are', () => {
    const d = narrowLevels([{ step: 0, predicted: 1000, measured: 1000, limit: 1000 }, { step: 0.4, predicted: 600, measured: 590, limit: 600 }], linear);
    expect(d).toEqual({ steps: [0, 0.4], narrowed: [], stuck: [] });
  });

  it('narrows a level over budget to the smallest step predicted within it after the measured ÷ predicted correction, and the level below follows', () => {
    const d = narrowLevels([
      { step: 0, predicted: 1000, measured: 1000, limit: 1000 },
      { step: 0.4, predicted: 600, measured: 660, limit: 600 }, // 10% over its prediction: 0.45 gives 550 × 1.1 = 605, 0.46 gives 594
      { step: 0.45, predicted: 550, measured: 560, limit: 560 },
    ], linear);
    expect(d.steps).toEqual([0, 0.46, 0.46]);
    expect(d.stuck).toEqual([]);
    expect(d.narrowed).toEqual([
      { level: 1, from: 0.4, to: 0.46, because: expect.stringMatching(/^measured 660 over its budget 600 \(predicted 540 × 1\.100 measured\/predicted\)$/) },
      { level: 2, from: 0.45, to: 0.46, because: 'nested under level 1' },
    ]);
  });

  it('tries the cheapest smaller step when none is predicted to fit, and is stuck when no step is cheaper or nothing was measured', () => {
    const stepwise = (s: number) => (s < 0.5 ? 1000 : 900);
    const d = narrowLevels([{ step: 0, predicted: 1000, measured: 1200, limit: 1000 }], stepwise);
    expect(d.steps).toEqual([0.5]);
    expect(d.narrowed[0].because).toMatch(/the cheapest step left/);
    expect(narrowLevels([{ step: 0.5, predicted: 900, measured: 1200, limit: 1000 }], stepwise)).toEqual({ steps: [0.5], narrowed: [], stuck: [0] });
    expect(narrowLevels([{ step: 0.99, predicted: 10, measured: 20, limit: 15 }], linear).stuck).toEqual([0]);
    expect(narrowLevels([{ step: 0.2, predicted: 800, measured: Infinity, limit: 900 }], linear).stuck).toEqual([0]);
  });
});

describe('narrowUntilMet', () => {
  const run = (measuredOf: (predicted: number) => number, limits: number[] | ((first: number[]) => number[]), steps: number[], maxRounds = 4) => {
    const verified: number[][] = [];
    return narrowUntilMet({
      steps, priced: linear, maxRounds,
      limits: (first) => (typeof limits === 'function' ? limits(first.measured) : limits),
      verify: async (s) => {
        verified.push([...s]);
        return { verification: verified.length, measured: s.map((x) => measuredOf(linear(x))) };
      },
    }).then((r) => ({ ...r, verified }));
  };

  it('verifies once when every level meets its budget (fractions of the dense count measured: no narrowing)', async () => {
    const r = await run((p) => Math.round(p * 1.1), (m) => fractionLimits([1, 0.6, 0.35], m[0]), [0, 0.4, 0.65]);
    expect(r.verified).toEqual([[0, 0.4, 0.65]]);
    expect(r).toMatchObject({ rounds: [], missed: [], stoppedBecause: null, verification: 1 });
  });

  it('narrows every level over its explicit budget and verifies again: met after one narrowing', async () => {
    const r = await run((p) => Math.round(p * 1.1), [1000, 600, 350], [0, 0.4, 0.65]);
    expect(r.verified).toEqual([[0, 0.4, 0.65], [0.1, 0.46, 0.69]]);
    expect(r.steps).toEqual([0.1, 0.46, 0.69]);
    expect(r.rounds).toHaveLength(1);
    expect(r).toMatchObject({ missed: [], stoppedBecause: null, verification: 2 });
  });

  it('stops after the most narrowings a build makes, and when no step is left, with the levels that missed', async () => {
    // An overhead the cost model does not see: the correction grows as the level shrinks.
    const capped = await run((p) => p + 500, [2000, 600], [0, 0.4], 2);
    expect(capped.verified).toHaveLength(3);
    expect(capped.missed).toEqual([1]);
    expect(capped.stoppedBecause).toBe('2 narrowings tried, the most a build makes');
    const stuck = await run((p) => p + 1000, [2000, 600], [0, 0.4], 100);
    expect(stuck.missed).toEqual([1]);
    expect(stuck.stoppedBecause).toBe('no smaller step is predicted to bring level 1 within budget');
    expect(stuck.steps[1]).toBe(0.99);
  });
});
