// Each level's budget from build's flags: fractions, explicit instructions, deadlines in ms (converted on the worst
// case as --deadline-ms), and every bad list refused with a UserError naming the flag and the value.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { deadlineInstructions, levelBudgetText, parseLevelBudgets, type LevelBudgetFlags } from '../../src/levels/level-budgets.js';

// stm32f405: 168 MHz, 1.2 cycles per instruction (1 ms = 140,000 instructions).
const target = { name: 'stm32f405', clockHz: 168_000_000, cyclesPerInstruction: 1.2 };
const parse = (o: LevelBudgetFlags) => parseLevelBudgets(o, target);
const refusal = (o: LevelBudgetFlags): UserError => {
  try {
    parse(o);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error(`not refused: ${JSON.stringify(o)}`);
};

describe('parseLevelBudgets', () => {
  it('is null without a levels flag', () => {
    expect(parse({})).toBeNull();
  });

  it('reads fractions of the dense model on the typical count by default, or on the worst case', () => {
    expect(parse({ levels: '1.0, 0.6,0.35' })).toEqual({ kind: 'fraction', flag: '--levels', values: [1, 0.6, 0.35], measure: 'instructions', instructions: null });
    expect(parse({ levels: '1,0.5', levelMeasure: 'worst-case' })?.measure).toBe('instructionsWorstCase');
  });

  it('reads explicit instruction budgets as the limits', () => {
    const b = parse({ levelInstructions: '140000,85000,48000' })!;
    expect(b).toMatchObject({ kind: 'instructions', flag: '--level-instructions', measure: 'instructions', instructions: [140000, 85000, 48000] });
    expect(parse({ levelInstructions: '140000,85000', levelMeasure: 'worst-case' })?.measure).toBe('instructionsWorstCase');
  });

  it('converts deadlines in ms to worst-case instructions at the target\'s clock and cycles per instruction', () => {
    expect(deadlineInstructions(1, target)).toBe(140_000);
    expect(deadlineInstructions(0.35, target)).toBe(49_000);
    const b = parse({ levelDeadlineMs: '1,0.6,0.35' })!;
    expect(b).toMatchObject({ kind: 'deadline-ms', values: [1, 0.6, 0.35], measure: 'instructionsWorstCase', instructions: [140_000, 84_000, 49_000] });
    expect(parse({ levelDeadlineMs: '1,0.6', levelMeasure: 'worst-case' })?.measure).toBe('instructionsWorstCase');
  });

  it('says each budget in the report\'s words', () => {
    expect(levelBudgetText(parse({ levels: '1,0.6' })!, 1)).toBe('0.6 of the dense instructions');
    expect(levelBudgetText(parse({ levels: '1,0.6', levelMeasure: 'worst-case' })!, 1)).toBe('0.6 of the dense worst-case instructions');
    expect(levelBudgetText(parse({ levelInstructions: '140000,85000' })!, 1)).toBe('85,000 instructions');
    expect(levelBudgetText(parse({ levelDeadlineMs: '1,0.6' })!, 1)).toBe('0.6 ms (≈ 84,000 worst-case instructions)');
  });

  it.each([
    ['an empty list', { levels: '' }, /--levels got no levels/],
    ['a fraction above 1', { levels: '1.2,0.5' }, /--levels 1.2,0.5: level 0's value '1.2' is not one of fractions/],
    ['a fraction of 0', { levels: '1,0' }, /--levels 1,0: level 1's value '0'/],
    ['a missing value', { levels: '1,,0.3' }, /--levels 1,,0.3: level 1's value ''/],
    ['hex', { levels: '1,0x1' }, /level 1's value '0x1'/],
    ['fractions that do not decrease', { levels: '1,0.4,0.6' }, /--levels 1,0.4,0.6: level 2 \(0.6\) is not below level 1 \(0.4\)/],
    ['a repeated fraction', { levels: '1,0.5,0.5' }, /level 2 \(0.5\) is not below level 1 \(0.5\)/],
    ['a fractional instruction count', { levelInstructions: '140000,850.5' }, /--level-instructions 140000,850.5: level 1's value '850.5' is not one of whole numbers/],
    ['a negative instruction count', { levelInstructions: '-5' }, /--level-instructions -5: level 0's value '-5'/],
    ['instructions that grow', { levelInstructions: '5000,6000' }, /--level-instructions 5000,6000: level 1 \(6000\) is not below level 0 \(5000\)/],
    ['a deadline of 0', { levelDeadlineMs: '1,0' }, /--level-deadline-ms 1,0: level 1's value '0'/],
    ['deadlines that grow', { levelDeadlineMs: '0.5,1' }, /--level-deadline-ms 0.5,1: level 1 \(1\) is not below level 0 \(0.5\)/],
    ['deadlines a single instruction apart from nothing', { levelDeadlineMs: '1,0.000001' }, /--level-deadline-ms 1,0.000001: level 1 is 0 worst-case instructions on stm32f405/],
    ['deadlines that convert to the same count', { levelDeadlineMs: '1.000000001,1' }, /--level-deadline-ms 1.000000001,1: level 1 is 140000 worst-case instructions on stm32f405, not below level 0's 140000/],
    ['two ways at once', { levels: '1,0.5', levelDeadlineMs: '1,0.5' }, /give the levels' budgets one way: --levels and --level-deadline-ms were both given/],
    ['a typical measure for deadlines', { levelDeadlineMs: '1,0.5', levelMeasure: 'typical' }, /--level-deadline-ms budgets the worst case, and --level-measure typical was given/],
    ['an unknown measure', { levels: '1,0.5', levelMeasure: 'average' }, /--level-measure must be typical or worst-case, got 'average'/],
    ['a measure without levels', { levelMeasure: 'worst-case' }, /--level-measure applies to nested levels only/],
  ])('refuses %s, naming the flag and the value', (_, o, message) => {
    const e = refusal(o as LevelBudgetFlags);
    expect(e.message).toMatch(message);
  });
});
