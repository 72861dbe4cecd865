// The combinations of a sweep (target × budget × precision), their names, and the order they run in: on one target
// and precision, a budget runs after every budget tighter than it, so that a met tighter result can stand in for it.

import type { Precision } from '../analysis/model-precision.js';
import { allHold, parseBudgets, type Budget, type Costs } from '../build/budgets.js';
import type { McuTarget } from '../targets/schema.js';

/** One budget of the sweep, as the user gave it (latency or instructions, and/or RAM, flash). */
export interface SweepBudget {
  latencyMs?: number;
  maxInstructions?: number;
  ramKb?: number;
  flashKb?: number;
}

export interface BudgetLists {
  latencyMs?: number[];
  maxInstructions?: number[];
  ramKb?: number[];
  flashKb?: number[];
}

const KEYS = ['latencyMs', 'maxInstructions', 'ramKb', 'flashKb'] as const;

/** Every budget of the lists' product, in the order given (the first list varies slowest). */
export function budgetGrid(lists: BudgetLists): SweepBudget[] {
  let grid: SweepBudget[] = [{}];
  for (const key of KEYS) {
    const values = lists[key];
    if (!values || values.length === 0) continue;
    grid = grid.flatMap((b) => values.map((v) => ({ ...b, [key]: v })));
  }
  return grid;
}

/** A budget as a short, file-name-safe label: `2ms`, `5000instr`, `16kbram`, joined by `-`. */
export function budgetName(b: SweepBudget): string {
  const parts: string[] = [];
  if (b.latencyMs !== undefined) parts.push(`${b.latencyMs}ms`);
  if (b.maxInstructions !== undefined) parts.push(`${b.maxInstructions}instr`);
  if (b.ramKb !== undefined) parts.push(`${b.ramKb}kbram`);
  if (b.flashKb !== undefined) parts.push(`${b.flashKb}kbflash`);
  return parts.join('-');
}

/** A budget in words for reports: `latency 2 ms, RAM 16 KiB`. */
export function budgetText(b: SweepBudget): string {
  const parts: string[] = [];
  if (b.latencyMs !== undefined) parts.push(`latency ${b.latencyMs} ms`);
  if (b.maxInstructions !== undefined) parts.push(`${b.maxInstructions} instructions`);
  if (b.ramKb !== undefined) parts.push(`RAM ${b.ramKb} KiB`);
  if (b.flashKb !== undefined) parts.push(`flash ${b.flashKb} KiB`);
  return parts.join(', ');
}

export interface Combination {
  /** `<target>-<precision>-<budget>`: the folder under builds/ and the key of the reports. */
  name: string;
  target: McuTarget;
  precision: Precision;
  /** Whether --precision chose it (false: the target's default, which build picks itself). */
  precisionGiven: boolean;
  budget: SweepBudget;
  /** The budget on this target (a latency becomes instructions at its clock). */
  budgets: Budget[];
}

export function combinationName(target: string, precision: Precision, budget: SweepBudget): string {
  return `${target}-${precision}-${budgetName(budget)}`;
}

/** Every combination, targets outermost, then precisions, then budgets, in the orders given. */
export function sweepCombinations(targets: McuTarget[], budgets: SweepBudget[], precisions: (target: McuTarget) => { precision: Precision; given: boolean }[]): Combination[] {
  return targets.flatMap((target) =>
    precisions(target).flatMap(({ precision, given }) =>
      budgets.map((budget) => ({ name: combinationName(target.name, precision, budget), target, precision, precisionGiven: given, budget, budgets: parseBudgets(budget, target) })),
    ),
  );
}

/** `a` is at least as tight as `b` on every limit they set, and tighter on one. */
export function tighter(a: SweepBudget, b: SweepBudget): boolean {
  let strictly = false;
  for (const key of KEYS) {
    const x = a[key];
    const y = b[key];
    if ((x === undefined) !== (y === undefined)) return false;
    if (x === undefined || y === undefined) continue;
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/**
 * The combinations in waves: a combination's wave is one more than the latest wave of a tighter budget on the same
 * target and precision (the tightest run first, all targets at once).
 */
export function sweepWaves(combos: Combination[]): Combination[][] {
  const wave = new Map<string, number>();
  const waveOf = (c: Combination): number => {
    const known = wave.get(c.name);
    if (known !== undefined) return known;
    const below = combos.filter((d) => d.target.name === c.target.name && d.precision === c.precision && tighter(d.budget, c.budget));
    const w = below.length === 0 ? 0 : 1 + Math.max(...below.map(waveOf));
    wave.set(c.name, w);
    return w;
  };
  const waves: Combination[][] = [];
  for (const c of combos) (waves[waveOf(c)] ??= []).push(c);
  return waves.filter((w) => w !== undefined);
}

/** A finished combination another can reuse: its name and measured costs (met). */
export interface MetResult {
  name: string;
  target: string;
  precision: Precision;
  measured: Costs;
}

/**
 * The met result on the same target and precision whose measured costs already meet `c`'s budgets: the last of
 * `earlier` that does (the loosest budget met before, usually the most accurate). Null: `c` must be built.
 */
export function reusableResult(c: Combination, earlier: readonly MetResult[]): MetResult | null {
  const fits = earlier.filter((r) => r.target === c.target.name && r.precision === c.precision && allHold(c.budgets, r.measured));
  return fits.length ? fits[fits.length - 1] : null;
}
