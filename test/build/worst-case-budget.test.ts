// Worst-case budgets: --deadline-ms and --max-instructions-worst-case become a budget on the bound, which the measured
// costs take from verify's worst-case section, and the report's margin against it.
import { describe, expect, it } from 'vitest';
import { parseBudgets } from '../../src/build/budgets.js';
import { measuredCosts } from '../../src/build/build.js';
import { worstCaseSummary } from '../../src/report/worst-case-summary.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';
import type { VerifyReport } from '../../src/verify/verify-mcu.js';
import type { WorstCaseReport } from '../../src/verify/worst-case-report.js';

const target = findMcuTarget('stm32f405');

const worst: WorstCaseReport = {
  core: 'thumb2-soft', typicalInstructions: 900, worstMeasuredInstructions: 1000, worstVector: 'subnormals', adversarial: [],
  instructionsWorstCase: 1200, exact: false, basis: 'upper bound', boundOverWorst: 0.2, kernels: [], steps: [], overhead: 20, markCost: 28, holds: true, tighten: [],
};

describe('worst-case budgets', () => {
  it('turns --deadline-ms into worst-case instructions at the clock and cycles per instruction, and refuses both flags', () => {
    const [b] = parseBudgets({ deadlineMs: 2 }, target);
    expect(b.name).toBe('instructionsWorstCase');
    expect(b.limit).toBe(Math.floor((2 * target.clockHz) / (1000 * target.cyclesPerInstruction)));
    expect(b.givenAs).toMatch(/--deadline-ms 2/);
    expect(parseBudgets({ maxInstructionsWorstCase: 5000 }, target)).toEqual([{ name: 'instructionsWorstCase', limit: 5000, givenAs: '--max-instructions-worst-case 5000' }]);
    expect(() => parseBudgets({ deadlineMs: 2, maxInstructionsWorstCase: 5 }, target)).toThrow(/not both/);
    expect(() => parseBudgets({ deadlineMs: -1 }, target)).toThrow(/--deadline-ms must be a positive number/);
  });

  it('measures the bound, not the largest count of the vectors that ran', () => {
    const v = { instructions: 950, cycles: null, ramBytes: 10, stackBytes: 5, flashBytes: 100, worstCase: worst } as unknown as VerifyReport;
    expect(measuredCosts(v)).toEqual({ instructions: 950, instructionsWorstCase: 1200, ramBytes: 15, flashBytes: 100 });
  });

  it('reports the margin against the worst-case budget in per cent (negative when missed)', () => {
    const met = worstCaseSummary(worst, [{ name: 'instructionsWorstCase', limit: 1500, givenAs: '--max-instructions-worst-case 1500' }])!;
    expect(met.deadline!.marginPercent).toBeCloseTo(20, 10);
    expect(worstCaseSummary(worst, [{ name: 'instructionsWorstCase', limit: 1000, givenAs: 'x' }])!.deadline!.marginPercent).toBeCloseTo(-20, 10);
    expect(worstCaseSummary(worst, [])!.deadline).toBeNull();
    expect(worstCaseSummary(null, [])).toBeNull();
  });
});
