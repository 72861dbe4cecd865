// Budgets of `edgeprune build`: parsing the flags (latency → instructions, KiB → bytes, errors), worstRatio and allHold.
import { describe, expect, it } from 'vitest';
import { aimedLimits, allHold, parseBudgets, tightened, worstRatio, type Budget, type Costs } from '../../src/build/budgets.js';
import { UserError } from '../../src/errors.js';
import { findMcuTarget } from '../../src/targets/load-targets.js';

const stm32f405 = findMcuTarget('stm32f405');

/** The UserError `f` throws (fails the test when it throws nothing or something else). */
function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError, nothing was thrown');
}

describe('parseBudgets', () => {
  it('turns a latency into instructions with the target clock and cycles per instruction (stm32f405: 168 MHz, 1.2 CPI)', () => {
    expect(stm32f405.clockHz).toBe(168_000_000);
    expect(stm32f405.cyclesPerInstruction).toBe(1.2);
    const [b, ...rest] = parseBudgets({ latencyMs: 0.5 }, stm32f405);
    expect(rest).toEqual([]);
    expect(b.name).toBe('instructions');
    expect(b.limit).toBe(70_000);
    expect(b.givenAs).toMatch(/^--latency-ms 0\.5 \(≈ 70,000 instructions/);
    expect(parseBudgets({ latencyMs: 2 }, stm32f405)[0].limit).toBe(280_000);
    // Whole-number results are not lost to float rounding (0.3 ms × 168 MHz / 1.2 is exactly 42,000).
    expect(parseBudgets({ latencyMs: 0.3 }, stm32f405)[0].limit).toBe(42_000);
    expect(parseBudgets({ latencyMs: 0.6 }, stm32f405)[0].limit).toBe(84_000);
  });

  it('uses the fields of the target it is given, and rounds the instruction count down', () => {
    const slow = { ...stm32f405, clockHz: 10_000_000, cyclesPerInstruction: 3 };
    // 1 ms at 10 MHz = 10,000 cycles = 3,333.3 instructions.
    expect(parseBudgets({ latencyMs: 1 }, slow)[0].limit).toBe(3_333);
    const fast = { ...stm32f405, clockHz: 480_000_000, cyclesPerInstruction: 1 };
    expect(parseBudgets({ latencyMs: 0.25 }, fast)[0].limit).toBe(120_000);
  });

  it('takes --max-instructions as given (rounded down)', () => {
    expect(parseBudgets({ maxInstructions: 12_345.9 }, stm32f405)).toEqual([{ name: 'instructions', limit: 12_345, givenAs: '--max-instructions 12345.9' }]);
  });

  it('turns --ram-kb and --flash-kb into bytes (1 KiB = 1024 B)', () => {
    const budgets = parseBudgets({ ramKb: 16, flashKb: 64.5 }, stm32f405);
    expect(budgets).toEqual([
      { name: 'ramBytes', limit: 16_384, givenAs: '--ram-kb 16' },
      { name: 'flashBytes', limit: 66_048, givenAs: '--flash-kb 64.5' },
    ]);
  });

  it('keeps every budget given, in the order instructions, RAM, flash', () => {
    const budgets = parseBudgets({ flashKb: 100, ramKb: 8, latencyMs: 1 }, stm32f405);
    expect(budgets.map((b) => [b.name, b.limit])).toEqual([['instructions', 140_000], ['ramBytes', 8192], ['flashBytes', 102_400]]);
  });

  it('refuses both --latency-ms and --max-instructions', () => {
    const e = userError(() => parseBudgets({ latencyMs: 1, maxInstructions: 1000 }, stm32f405));
    expect(e.message).toMatch(/--latency-ms/);
    expect(e.message).toMatch(/--max-instructions/);
  });

  it('refuses no budget at all, with a hint naming the flags', () => {
    const e = userError(() => parseBudgets({}, stm32f405));
    expect(e.message).toBe('no budget given');
    expect(e.hint).toMatch(/--latency-ms/);
    expect(e.hint).toMatch(/--ram-kb/);
    expect(e.hint).toMatch(/--flash-kb/);
  });

  it('refuses zero, negative and non-finite figures, naming the flag', () => {
    expect(userError(() => parseBudgets({ latencyMs: 0 }, stm32f405)).message).toMatch(/^--latency-ms must be a positive number/);
    expect(userError(() => parseBudgets({ maxInstructions: -5 }, stm32f405)).message).toMatch(/^--max-instructions must be a positive number/);
    expect(userError(() => parseBudgets({ ramKb: Number.NaN }, stm32f405)).message).toMatch(/^--ram-kb must be a positive number/);
    expect(userError(() => parseBudgets({ flashKb: Number.POSITIVE_INFINITY }, stm32f405)).message).toMatch(/^--flash-kb must be a positive number/);
  });
});

describe('worstRatio and allHold', () => {
  const budgets: Budget[] = [
    { name: 'instructions', limit: 1000, givenAs: '--max-instructions 1000' },
    { name: 'ramBytes', limit: 200, givenAs: '--ram-kb 0.1953125' },
    { name: 'flashBytes', limit: 4000, givenAs: '--flash-kb 3.90625' },
  ];

  it('names the most violated budget and its cost / limit', () => {
    const costs: Costs = { instructions: 1500, instructionsWorstCase: 1500, ramBytes: 500, flashBytes: 4000 };
    const w = worstRatio(budgets, costs);
    expect(w.budget.name).toBe('ramBytes');
    expect(w.ratio).toBeCloseTo(2.5, 12);
    expect(worstRatio(budgets, { instructions: 3000, instructionsWorstCase: 3000, ramBytes: 100, flashBytes: 8000 })).toEqual({ budget: budgets[0], ratio: 3 });
  });

  it('gives the ratio closest to the limit (≤ 1) when every budget holds', () => {
    const w = worstRatio(budgets, { instructions: 500, instructionsWorstCase: 500, ramBytes: 150, flashBytes: 1000 });
    expect(w.budget.name).toBe('ramBytes');
    expect(w.ratio).toBeCloseTo(0.75, 12);
  });

  it('ignores costs that have no budget', () => {
    const ramOnly = budgets.slice(1, 2);
    expect(worstRatio(ramOnly, { instructions: 1e9, instructionsWorstCase: 1e9, ramBytes: 100, flashBytes: 1e9 })).toEqual({ budget: ramOnly[0], ratio: 0.5 });
    expect(allHold(ramOnly, { instructions: 1e9, instructionsWorstCase: 1e9, ramBytes: 100, flashBytes: 1e9 })).toBe(true);
  });

  it('allHold: every cost at most its limit (equal to the limit holds)', () => {
    expect(allHold(budgets, { instructions: 1000, instructionsWorstCase: 1000, ramBytes: 200, flashBytes: 4000 })).toBe(true);
    expect(allHold(budgets, { instructions: 1001, instructionsWorstCase: 1001, ramBytes: 200, flashBytes: 4000 })).toBe(false);
    expect(allHold(budgets, { instructions: 0, instructionsWorstCase: 0, ramBytes: 0, flashBytes: 4000.5 })).toBe(false);
  });
});

describe('aimedLimits and tightened', () => {
  const given: Budget[] = [
    { name: 'instructions', limit: 10_000, givenAs: '--max-instructions 10000' },
    { name: 'ramBytes', limit: 4096, givenAs: '--ram-kb 4' },
  ];
  it('scales the instruction limit by predicted ÷ measured on the dense model, and leaves RAM and flash', () => {
    const aimed = aimedLimits(given, { instructions: 21_200, instructionsWorstCase: 21_200, ramBytes: 5000, flashBytes: 9000 }, { instructions: 20_000, instructionsWorstCase: 20_000, ramBytes: 4000, flashBytes: 8000 });
    expect(aimed.map((b) => b.limit)).toEqual([10_600, 4096]);
    expect(aimed[0].givenAs).toBe(given[0].givenAs);
    // Under-predicted: aimed lower.
    expect(aimedLimits(given, { instructions: 18_000, instructionsWorstCase: 18_000, ramBytes: 0, flashBytes: 0 }, { instructions: 20_000, instructionsWorstCase: 20_000, ramBytes: 0, flashBytes: 0 })[0].limit).toBe(9000);
  });
  it('keeps the limit when the dense prediction is within 1% of the measurement, or a figure is missing', () => {
    expect(aimedLimits(given, { instructions: 20_100, instructionsWorstCase: 20_100, ramBytes: 0, flashBytes: 0 }, { instructions: 20_000, instructionsWorstCase: 20_000, ramBytes: 0, flashBytes: 0 })).toEqual(given);
    expect(aimedLimits(given, { instructions: 20_100, instructionsWorstCase: 20_100, ramBytes: 0, flashBytes: 0 }, { instructions: Infinity, instructionsWorstCase: Infinity, ramBytes: 0, flashBytes: 0 })[0].limit).toBe(10_000);
  });
  it('tightens against the budget given, not the aimed limit', () => {
    const aimed = aimedLimits(given, { instructions: 12_000, instructionsWorstCase: 12_000, ramBytes: 0, flashBytes: 0 }, { instructions: 10_000, instructionsWorstCase: 10_000, ramBytes: 0, flashBytes: 0 });
    expect(aimed[0].limit).toBe(12_000);
    // Measured 10,500 (over the 10,000 given, under the 12,000 aimed) for 11,550 predicted: tightened from the given limit.
    const next = tightened(aimed, { instructions: 11_550, instructionsWorstCase: 11_550, ramBytes: 4000, flashBytes: 0 }, { instructions: 10_500, instructionsWorstCase: 10_500, ramBytes: 4000, flashBytes: 0 }, given);
    expect(next[0].limit).toBe(Math.floor(10_000 * (11_550 / 10_500) * 0.99));
    expect(next[1]).toBe(aimed[1]);
    // Without `given`, the internal limits are the reference (as before aiming existed).
    expect(tightened(given, { instructions: 9000, instructionsWorstCase: 9000, ramBytes: 0, flashBytes: 0 }, { instructions: 10_500, instructionsWorstCase: 10_500, ramBytes: 0, flashBytes: 0 })[0].limit).toBe(Math.floor(10_000 * (9000 / 10_500) * 0.99));
  });
});
