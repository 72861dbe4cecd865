// The sweep's plan: the budget grid and its names, the waves (tighter budgets first on each target and precision),
// which met result a looser budget reuses, the cheapest board per budget, and Pareto dominance.
import { describe, expect, it } from 'vitest';
import { budgetGrid, budgetName, reusableResult, sweepCombinations, sweepWaves, tighter, type Combination } from '../../src/sweep/combinations.js';
import { cheapestPerBudget, type SweepEntry } from '../../src/sweep/sweep-report.js';
import { dominatedPoints } from '../../src/report/pareto.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

const f405 = findMcuTarget('stm32f405');
const lm3s = findMcuTarget('lm3s6965');
const h743 = findMcuTarget('stm32h743');

describe('sweep combinations', () => {
  it('crosses the budget lists, names each budget and combination for a folder', () => {
    const grid = budgetGrid({ latencyMs: [2, 0.5], ramKb: [16, 32] });
    expect(grid).toEqual([{ latencyMs: 2, ramKb: 16 }, { latencyMs: 2, ramKb: 32 }, { latencyMs: 0.5, ramKb: 16 }, { latencyMs: 0.5, ramKb: 32 }]);
    expect(grid.map(budgetName)).toEqual(['2ms-16kbram', '2ms-32kbram', '0.5ms-16kbram', '0.5ms-32kbram']);
    const combos = sweepCombinations([f405, lm3s], [{ latencyMs: 1 }], () => [{ precision: 'float32', given: true }, { precision: 'int8', given: true }]);
    expect(combos.map((c) => c.name)).toEqual(['stm32f405-float32-1ms', 'stm32f405-int8-1ms', 'lm3s6965-float32-1ms', 'lm3s6965-int8-1ms']);
    // A latency becomes instructions at each target's clock: 168 MHz and 50 MHz.
    expect(combos[0].budgets[0].limit).toBeGreaterThan(3 * combos[2].budgets[0].limit);
  });

  it('runs tighter budgets first on each target and precision, every target in the same wave', () => {
    expect(tighter({ latencyMs: 1, ramKb: 16 }, { latencyMs: 2, ramKb: 16 })).toBe(true);
    expect(tighter({ latencyMs: 1, ramKb: 32 }, { latencyMs: 2, ramKb: 16 })).toBe(false);
    expect(tighter({ latencyMs: 1 }, { latencyMs: 1 })).toBe(false);
    const combos = sweepCombinations([f405, lm3s], budgetGrid({ latencyMs: [5, 1, 2], ramKb: [8, 4] }), () => [{ precision: 'int8', given: true }]);
    const waves = sweepWaves(combos).map((w) => w.map((c) => c.name));
    expect(waves[0]).toEqual(['stm32f405-int8-1ms-4kbram', 'lm3s6965-int8-1ms-4kbram']);
    expect(waves[1]).toEqual(['stm32f405-int8-1ms-8kbram', 'stm32f405-int8-2ms-4kbram', 'lm3s6965-int8-1ms-8kbram', 'lm3s6965-int8-2ms-4kbram']);
    expect(waves.flat().length).toBe(12);
    // Every combination comes after each tighter one of its target.
    const wave = new Map(waves.flatMap((w, i) => w.map((n) => [n, i] as const)));
    for (const a of combos) for (const b of combos) if (a.target === b.target && tighter(a.budget, b.budget)) expect(wave.get(a.name)!).toBeLessThan(wave.get(b.name)!);
  });

  it('reuses a met result only on the same target and precision, and only when its measured costs meet the budget', () => {
    const [c] = sweepCombinations([f405], [{ maxInstructions: 5000, ramKb: 1 }], () => [{ precision: 'float32', given: true }]) as Combination[];
    const measured = { instructions: 4000, instructionsWorstCase: 4000, ramBytes: 1000, flashBytes: 9000 };
    const tight = { name: 'stm32f405-float32-3000instr-1kbram', target: 'stm32f405', precision: 'float32' as const, measured };
    expect(reusableResult(c, [tight])).toBe(tight);
    expect(reusableResult(c, [{ ...tight, precision: 'int8' }])).toBeNull();
    expect(reusableResult(c, [{ ...tight, target: 'lm3s6965' }])).toBeNull();
    expect(reusableResult(c, [{ ...tight, measured: { ...measured, instructions: 5001 } }])).toBeNull();
    expect(reusableResult(c, [{ ...tight, measured: { ...measured, ramBytes: 1025 } }])).toBeNull();
  });

  it('names the met board with the smallest flash + RAM, then the slowest clock, per budget', () => {
    const entry = (target: string, key: string, met: boolean, final: number): SweepEntry => ({
      name: `${target}-x-${key}`, target, precision: 'float32', budget: {}, budgetKey: key, budgetText: key, status: 'built', job: null, reusedFrom: null, search: 'searched',
      met, failed: [], measured: null, accuracy: { final, dropPoints: 0 }, smallestReached: [], iterations: 0, stoppedBecause: null, output: null, error: null,
    });
    const lines = cheapestPerBudget([entry('stm32h743', '1ms', true, 0.9), entry('lm3s6965', '1ms', false, 0.95), entry('stm32f405', '1ms', true, 0.8), entry('lm3s6965', '5ms', true, 0.9), entry('stm32f405', '0.1ms', false, 0.9)], [f405, lm3s, h743]);
    expect(lines.map((l) => [l.budgetKey, l.target])).toEqual([['1ms', 'stm32f405'], ['5ms', 'lm3s6965'], ['0.1ms', null]]);
  });

  it('dims the points another design dominates (no worse on both axes, better on one)', () => {
    expect(dominatedPoints([{ cost: 1, accuracy: 0.9 }, { cost: 2, accuracy: 0.8 }, { cost: 2, accuracy: 0.95 }, { cost: 1, accuracy: 0.9 }, { cost: 3, accuracy: 0.95 }])).toEqual([false, true, false, false, true]);
  });
});
