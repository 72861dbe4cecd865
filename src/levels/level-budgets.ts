// Each level's budget from `build`'s flags (issue 15 §2): fractions of the dense model (--levels), explicit instruction
// counts (--level-instructions) or deadlines in ms (--level-deadline-ms, on the worst case); checked, with the measure.

import { UserError } from '../errors.js';
import type { McuTarget } from '../targets/schema.js';

/** What the per-level values are. */
export type LevelBudgetKind = 'fraction' | 'instructions' | 'deadline-ms';

/** Which count a level's budget applies to: predicted/measured typical instructions, or the worst-case bound. */
export type LevelMeasure = 'instructions' | 'instructionsWorstCase';

export interface LevelBudgets {
  kind: LevelBudgetKind;
  /** The flag they were given with, e.g. `--level-instructions`. */
  flag: string;
  /** The values as given, largest level first (fractions, instructions or milliseconds). */
  values: number[];
  measure: LevelMeasure;
  /** Explicit budgets (instructions, or deadlines converted): the instruction limit per level; null for fractions. */
  instructions: number[] | null;
}

/** The flags as commander hands them over (strings: this module checks them). */
export interface LevelBudgetFlags {
  levels?: string;
  levelInstructions?: string;
  levelDeadlineMs?: string;
  /** typical | worst-case, undefined when not given. */
  levelMeasure?: string;
  /** --level-epochs, undefined when not given (DEFAULT_LEVEL_EPOCHS). */
  levelEpochs?: number;
  /** --level-kernels, undefined when not given (checked by levelKernelsOption, src/cli/levels-build.ts). */
  levelKernels?: string;
}

/** Joint fine-tuning epochs of nested levels without --level-epochs. */
export const DEFAULT_LEVEL_EPOCHS = 10;

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

interface KindSpec {
  flag: string;
  what: string;
  max: number;
  integer: boolean;
  example: string;
}

const SPECS: Record<LevelBudgetKind, KindSpec> = {
  fraction: { flag: '--levels', what: 'fractions of the dense model\'s instructions, each greater than 0 and at most 1', max: 1, integer: false, example: '1.0,0.6,0.35' },
  instructions: { flag: '--level-instructions', what: 'whole numbers of instructions greater than 0', max: Number.MAX_SAFE_INTEGER, integer: true, example: '140000,85000,48000' },
  'deadline-ms': { flag: '--level-deadline-ms', what: 'deadlines in milliseconds greater than 0 (at most one hour)', max: 3_600_000, integer: false, example: '1,0.6,0.35' },
};

/** The comma-separated list given for `kind`'s flag: numbers in range, at least one, strictly decreasing. */
export function parseLevelValues(kind: LevelBudgetKind, text: string): number[] {
  const s = SPECS[kind];
  const hint = `give ${s.what}, largest level first, e.g. ${s.flag} ${s.example}`;
  const items = text.split(',').map((v) => v.trim());
  if (items.length === 1 && items[0] === '') throw new UserError(`${s.flag} got no levels`, hint);
  const values = items.map((v, k) => {
    const x = DECIMAL.test(v) ? Number(v) : NaN;
    if (!Number.isFinite(x) || x <= 0 || x > s.max || (s.integer && !Number.isInteger(x))) {
      throw new UserError(`${s.flag} ${text}: level ${k}'s value '${v}' is not one of ${s.what}`, hint);
    }
    return x;
  });
  const k = values.findIndex((x, i) => i > 0 && x >= values[i - 1]);
  if (k > 0) throw new UserError(`${s.flag} ${text}: level ${k} (${values[k]}) is not below level ${k - 1} (${values[k - 1]}); the levels must decrease strictly`, hint);
  return values;
}

/** A deadline in ms as worst-case instructions at the target's clock and cycles per instruction (as build's --deadline-ms). */
export function deadlineInstructions(ms: number, target: Pick<McuTarget, 'clockHz' | 'cyclesPerInstruction'>): number {
  return Math.floor((ms * target.clockHz) / (1000 * target.cyclesPerInstruction) + 1e-6);
}

/**
 * The levels' budgets from the flags, or null when none of --levels, --level-instructions, --level-deadline-ms is
 * given. Exactly one of them; --level-measure typical | worst-case (default typical; a deadline is on the worst case).
 */
export function parseLevelBudgets(o: LevelBudgetFlags, target: Pick<McuTarget, 'clockHz' | 'cyclesPerInstruction' | 'name'>): LevelBudgets | null {
  const given = ([['fraction', o.levels], ['instructions', o.levelInstructions], ['deadline-ms', o.levelDeadlineMs]] as const).filter(([, v]) => v !== undefined);
  if (given.length === 0) {
    for (const [flag, given] of [['--level-measure', o.levelMeasure], ['--level-epochs', o.levelEpochs], ['--level-kernels', o.levelKernels]] as const) {
      if (given !== undefined) throw new UserError(`${flag} applies to nested levels only`, `give --levels, --level-instructions or --level-deadline-ms with it, or drop ${flag}`);
    }
    return null;
  }
  if (given.length > 1) throw new UserError(`give the levels' budgets one way: ${given.map(([k]) => SPECS[k].flag).join(' and ')} were both given`, 'fractions of dense (--levels), instruction counts (--level-instructions) or deadlines (--level-deadline-ms)');
  const [kind, text] = given[0];
  const values = parseLevelValues(kind, text!);
  if (o.levelMeasure !== undefined && o.levelMeasure !== 'typical' && o.levelMeasure !== 'worst-case') throw new UserError(`--level-measure must be typical or worst-case, got '${o.levelMeasure}'`);
  if (kind === 'deadline-ms' && o.levelMeasure === 'typical') throw new UserError('--level-deadline-ms budgets the worst case, and --level-measure typical was given', 'drop --level-measure, or give --level-instructions to budget the typical count');
  const measure: LevelMeasure = kind === 'deadline-ms' || o.levelMeasure === 'worst-case' ? 'instructionsWorstCase' : 'instructions';
  const instructions = kind === 'fraction' ? null : kind === 'instructions' ? values : values.map((ms) => deadlineInstructions(ms, target));
  if (instructions) {
    const k = instructions.findIndex((x, i) => x < 1 || (i > 0 && x >= instructions[i - 1]));
    if (k >= 0) throw new UserError(`${SPECS[kind].flag} ${text}: level ${k} is ${instructions[k]} worst-case instructions on ${target.name}${k > 0 ? `, not below level ${k - 1}'s ${instructions[k - 1]}` : ''}`, 'give deadlines further apart (a level needs at least one instruction less than the one above)');
  }
  return { kind, flag: SPECS[kind].flag, values, measure, instructions };
}

/** How level k's budget reads in reports: `0.6 of dense`, `85,000 instructions`, `0.6 ms (≈ 100,800 worst-case instructions)`. */
export function levelBudgetText(b: LevelBudgets, k: number): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const what = b.measure === 'instructions' ? 'instructions' : 'worst-case instructions';
  if (b.kind === 'fraction') return `${b.values[k]} of the dense ${what}`;
  if (b.kind === 'instructions') return `${n(b.values[k])} ${what}`;
  return `${b.values[k]} ms (≈ ${n(b.instructions![k])} worst-case instructions)`;
}
