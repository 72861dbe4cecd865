// Uniform structural pruning: the same fraction of every prune group's channels, the least important first.

import { rankChannels, scoreChannels, type Criterion } from './criteria.js';
import type { PruneAnalysis } from './types.js';
import type { Graph } from '../../ir/graph.js';

/**
 * From every prune group, round(fraction × size) channels (at most size − 1), the lowest by `criterion` (default L1 of
 * their producing weights, unnormalized): the removals of uniform pruning at `fraction`.
 */
export function uniformRemovals(g: Graph, analysis: PruneAnalysis, fraction: number, criterion: Criterion = { kind: 'l1' }): Map<string, number[]> {
  const ranked = rankChannels(scoreChannels(g, analysis.groups, criterion, { normalize: 'none' }));
  const removals = new Map<string, number[]>();
  for (const group of analysis.groups) {
    const k = Math.min(group.size - 1, Math.round(fraction * group.size));
    if (k <= 0) continue;
    removals.set(group.id, ranked.filter((r) => r.group === group.id).slice(0, k).map((r) => r.channel));
  }
  return removals;
}
