// The levels verified on target against their budgets (issue 15 §2, measured not only predicted): compile, run every
// level in QEMU, narrow a level whose measured count is over its budget (src/levels/narrow-levels.ts), again.

import type { Costs } from '../build/budgets.js';
import type { CLibrary } from '../emit/c/compile-c.js';
import type { Graph } from '../ir/graph.js';
import { analyzePruneGroups } from '../prune/structure/index.js';
import type { McuTarget } from '../targets/schema.js';
import type { VectorSet } from '../verify/vectors.js';
import { aloneLibraries } from './alone-flash.js';
import type { LevelsLibrary } from './compile-levels.js';
import type { LevelBudgets } from './level-budgets.js';
import { stepPricer, uniformKeep } from './level-widths.js';
import { narrowUntilMet, type Narrowing } from './narrow-levels.js';
import type { NestedLevels } from './nested-levels.js';
import { verifyLevelsOnTarget, type LevelVerification, type LevelsVerification } from './verify-levels.js';

/** The narrowings a build tries after the first verification (each one more firmware and QEMU run of every level). */
export const MAX_NARROWINGS = 4;

export interface VerifiedLevels {
  levels: NestedLevels;
  steps: number[];
  lib: LevelsLibrary;
  alone: CLibrary[];
  verification: LevelsVerification;
  /** Per level, the budget on the measured count, and the count measured. */
  limits: number[];
  measured: number[];
  /** The dense model's measured count (fraction budgets only: what the fractions apply to on target). */
  denseMeasured: number | null;
  rounds: Narrowing[][];
  missed: number[];
  stoppedBecause: string | null;
}

/** The count a level's budget applies to on target: the largest typical count, or the verified worst-case bound. */
export function measuredCount(v: LevelVerification, measure: LevelBudgets['measure']): number {
  return measure === 'instructions' ? v.instructions : v.bound;
}

/** Fractions of the dense model's count on target as whole instruction counts (counts are whole: ≤ f × dense). */
export function fractionLimits(fractions: readonly number[], denseMeasured: number): number[] {
  return fractions.map((f) => Math.floor(f * denseMeasured + 1e-6));
}

/**
 * Verify `levels` (uniform `steps` of `levels.full`) on `target` and narrow until every level's measured count is within
 * its budget: explicit budgets as given; fractions of the dense model measured on target (level 0's run when it removes
 * nothing, else the dense structure run on its own). `compile(levels)` makes the library verified.
 */
export async function verifyWithinBudgets(o: {
  levels: NestedLevels;
  steps: readonly number[];
  budgets: LevelBudgets;
  cost: (g: Graph) => Costs;
  target: McuTarget;
  vectors: VectorSet;
  compile: (levels: NestedLevels) => LevelsLibrary;
  log: (line: string) => void;
}): Promise<VerifiedLevels> {
  const { target, budgets } = o;
  const full = o.levels.full;
  const analysis = analyzePruneGroups(full);
  const priced = stepPricer(full, analysis, (g) => o.cost(g)[budgets.measure]);
  const verifyLevels = async (levels: NestedLevels) => {
    const lib = o.compile(levels);
    const alone = aloneLibraries(lib.graphs, target);
    const verification = await verifyLevelsOnTarget(lib, alone, target, o.vectors, o.log);
    return { verification: { levels, lib, alone, verification }, measured: verification.levels.map((v) => measuredCount(v, budgets.measure)) };
  };
  let denseMeasured: number | null = null;
  const run = await narrowUntilMet({
    steps: o.steps,
    priced: (step) => priced(step).instructions,
    maxRounds: MAX_NARROWINGS,
    log: o.log,
    verify: (steps) => verifyLevels({ full, keep: steps.map((s) => uniformKeep(analysis, s)) }),
    limits: async (first) => {
      if (budgets.instructions) return budgets.instructions;
      if (o.steps[0] === 0) denseMeasured = first.measured[0];
      else {
        o.log('running the dense model in QEMU (the fractions are of its count on target)');
        denseMeasured = (await verifyLevels({ full, keep: [{}] })).measured[0];
      }
      return fractionLimits(budgets.values, denseMeasured);
    },
  });
  const v = run.verification;
  const limits = budgets.instructions ?? fractionLimits(budgets.values, denseMeasured!);
  return {
    levels: v.levels, steps: run.steps, lib: v.lib, alone: v.alone, verification: v.verification,
    limits, measured: v.verification.levels.map((l) => measuredCount(l, budgets.measure)), denseMeasured,
    rounds: run.rounds, missed: run.missed, stoppedBecause: run.stoppedBecause,
  };
}
