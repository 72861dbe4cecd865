// The panel's baselines, priced: the smallest pruning level (a fraction of every group's channels, or a global
// weight sparsity) whose predicted costs meet every budget (the uniform removal a level means: src/prune/structure/uniform.ts).

import { allHold, type Budget, type Costs } from '../../src/build/budgets.js';
import type { Graph } from '../../src/ir/graph.js';
export { uniformRemovals } from '../../src/prune/structure/index.js';

/** Levels 1%, 2%, ... up to `max` (inclusive), in steps of `step`. */
export function levels(max: number, step = 0.01): number[] {
  const n = Math.floor(max / step + 1e-9);
  return Array.from({ length: n }, (_, i) => Math.round((i + 1) * step * 1e6) / 1e6);
}

export interface LevelFound<T> {
  level: number;
  candidate: T;
  costs: Costs;
}

export interface LevelSearch<T> {
  /** The smallest level whose predicted costs meet every budget; null at the cost floor. */
  found: LevelFound<T> | null;
  /** The lowest predicted cost of each budgeted resource over the levels tried (the floor when nothing met). */
  lowest: Costs;
  /** The budgets no level met alone, with the floor reached: e.g. "ramBytes: 4,812 predicted at best, limit 4,500". */
  floor: string[];
}

/**
 * The first level (in the order given, smallest first) whose candidate's predicted costs meet every budget. Costs
 * need not be monotone in the level (a sparse kernel may switch on), so levels are tried in order, not bisected.
 */
export function smallestLevelMeeting<T>(
  tried: readonly number[],
  make: (level: number) => T,
  predict: (candidate: T) => Costs,
  budgets: readonly Budget[],
): LevelSearch<T> {
  const lowest: Costs = { instructions: Infinity, instructionsWorstCase: Infinity, ramBytes: Infinity, flashBytes: Infinity };
  for (const level of tried) {
    const candidate = make(level);
    const costs = predict(candidate);
    for (const k of Object.keys(lowest) as (keyof Costs)[]) lowest[k] = Math.min(lowest[k], costs[k]);
    if (allHold(budgets, costs)) return { found: { level, candidate, costs }, lowest, floor: [] };
  }
  const floor = budgets.filter((b) => lowest[b.name] > b.limit).map((b) => `${b.name}: ${Math.round(lowest[b.name]).toLocaleString('en-US')} predicted at best, limit ${b.limit.toLocaleString('en-US')}`);
  return { found: null, lowest, floor };
}
