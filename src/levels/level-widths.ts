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
  /** Predicted instructions of the level (the measure the fractions apply to). */
  instructions: number;
}

/** Steps 0, 0.01, …, 0.99. */
const STEPS = Array.from({ length: 100 }, (_, i) => i / 100);

/**
 * For every fraction (decreasing, in (0, 1]), the smallest step, no smaller than the level above's, whose level of
 * `full` is predicted to run in at most fraction × the dense instructions (`instructionsOf(full)`). Costs need not be
 * monotone in the step (a kernel may switch), so steps are tried in order, not bisected. A fraction no step reaches is
 * a UserError naming the smallest reachable one (`what` names the measure in it).
 */
export function chooseLevelWidths(
  full: Graph,
  analysis: PruneAnalysis,
  fractions: readonly number[],
  instructionsOf: (g: Graph) => number,
  what = 'predicted instructions',
): { dense: number; levels: LevelWidth[] } {
  const dense = instructionsOf(full);
  const cache = new Map<string, number>();
  const priced = (step: number) => {
    const keep = uniformKeep(analysis, step);
    const key = JSON.stringify(keep);
    let instructions = cache.get(key);
    if (instructions === undefined) {
      instructions = instructionsOf(levelGraph({ full, keep: [keep] }, 0, analysis));
      cache.set(key, instructions);
    }
    return { step, keep, instructions };
  };
  const levels: LevelWidth[] = [];
  let from = 0;
  fractions.forEach((fraction, k) => {
    const limit = fraction * dense;
    const found = STEPS.filter((s) => s >= from).map(priced).find((w) => w.instructions <= limit);
    if (!found) {
      const floor = Math.min(...STEPS.map((s) => priced(s).instructions));
      throw new UserError(
        `level ${k} (${fraction} of the dense model's ${Math.round(dense).toLocaleString('en-US')} ${what}) cannot be reached: removing the same share of every prune group's channels (one left at least), the model is predicted at ${Math.round(floor).toLocaleString('en-US')} at best (${(floor / dense).toFixed(3)} of dense)`,
        `give fractions of at least ${(Math.ceil((floor / dense) * 100) / 100).toFixed(2)}`,
      );
    }
    levels.push(found);
    from = found.step;
  });
  return { dense, levels };
}
