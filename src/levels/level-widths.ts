// Each level's width: the same share of every prune group's channels removed (as uniform pruning removes them), the
// smallest 1% step whose predicted instructions meet the level's fraction of the dense model's, nested by construction.

import { UserError } from '../errors.js';
import type { Graph } from '../ir/graph.js';
import type { PruneAnalysis } from '../prune/structure/index.js';
import { levelGraph } from './nested-levels.js';

/** Kept channels per group when the share `step` of each is removed: round(step · size) of them, at most size − 1. */
export function uniformKeep(analysis: PruneAnalysis, step: number): Record<string, number> {
  return Object.fromEntries(analysis.groups.map((g) => [g.id, g.size - Math.min(g.size - 1, Math.round(step * g.size))]));
}

export interface LevelWidth {
  /** The share of every group's channels removed. */
  step: number;
  keep: Record<string, number>;
  /** Predicted instructions of the level (the measure the budgets apply to). */
  instructions: number;
  /** The level's limit on that measure: its fraction × the dense model's, or its explicit budget. */
  limit: number;
}

/** What the levels must meet: fractions of the dense model's count (decreasing, in (0, 1]) or explicit counts. */
export type LevelLimits = readonly number[] | { readonly instructions: readonly number[] };

/** Steps 0, 0.01, …, 0.99. */
export const LEVEL_STEPS: readonly number[] = Array.from({ length: 100 }, (_, i) => i / 100);

/** The level of `full` with the share `step` of every group removed, priced by `instructionsOf`, cached by kept counts. */
export function stepPricer(full: Graph, analysis: PruneAnalysis, instructionsOf: (g: Graph) => number): (step: number) => { step: number; keep: Record<string, number>; instructions: number } {
  const cache = new Map<string, number>();
  return (step: number) => {
    const keep = uniformKeep(analysis, step);
    const key = JSON.stringify(keep);
    let instructions = cache.get(key);
    if (instructions === undefined) {
      instructions = instructionsOf(levelGraph({ full, keep: [keep] }, 0, analysis));
      cache.set(key, instructions);
    }
    return { step, keep, instructions };
  };
}

/**
 * For every level's limit (a fraction, decreasing, in (0, 1], of the dense instructions `instructionsOf(full)`, or an
 * explicit count), the smallest step, no smaller than the level above's, whose level of `full` is predicted within it.
 * Costs need not be monotone in the step (a kernel may switch), so steps are tried in order, not bisected. A limit no step reaches is a UserError naming the smallest reachable count (`what` names the measure in it).
 */
export function chooseLevelWidths(
  full: Graph,
  analysis: PruneAnalysis,
  limits: LevelLimits,
  instructionsOf: (g: Graph) => number,
  what = 'predicted instructions',
): { dense: number; levels: LevelWidth[] } {
  const dense = instructionsOf(full);
  const priced = stepPricer(full, analysis, instructionsOf);
  const explicit = 'instructions' in limits ? limits.instructions : null;
  const count = explicit ? explicit.length : (limits as readonly number[]).length;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const levels: LevelWidth[] = [];
  let from = 0;
  for (let k = 0; k < count; k++) {
    const limit = explicit ? explicit[k] : (limits as readonly number[])[k] * dense;
    const found = LEVEL_STEPS.filter((s) => s >= from).map(priced).find((w) => w.instructions <= limit);
    if (!found) {
      const floor = Math.min(...LEVEL_STEPS.map((s) => priced(s).instructions));
      const reach = `removing the same share of every prune group's channels (one left at least), the model is predicted at ${n(floor)} at best (${(floor / dense).toFixed(3)} of dense)`;
      if (explicit) throw new UserError(`level ${k} (${n(limit)} ${what}; dense: ${n(dense)}) cannot be reached: ${reach}`, `give budgets of at least ${n(Math.ceil(floor))} ${what}`);
      throw new UserError(
        `level ${k} (${(limits as readonly number[])[k]} of the dense model's ${n(dense)} ${what}) cannot be reached: ${reach}`,
        `give fractions of at least ${(Math.ceil((floor / dense) * 100) / 100).toFixed(2)}`,
      );
    }
    levels.push({ ...found, limit });
    from = found.step;
  }
  return { dense, levels };
}
