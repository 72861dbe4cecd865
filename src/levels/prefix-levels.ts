// Nested levels that keep the leading channels of every prune group in model order (no reordering by importance):
// for tests and benches of the levels library; the build orders each group's channels by importance first.

import type { Graph } from '../ir/graph.js';
import { analyzePruneGroups, type PruneAnalysis } from '../prune/structure/index.js';
import type { NestedLevels } from './nested-levels.js';

/**
 * One level per share (largest first, each in (0, 1]): every group keeps round(share × size) of its channels (at least
 * one, never more than the level above keeps).
 */
export function prefixLevels(g: Graph, shares: readonly number[], analysis: PruneAnalysis = analyzePruneGroups(g)): NestedLevels {
  const keep: Record<string, number>[] = [];
  shares.forEach((share, k) => {
    if (!(share > 0 && share <= 1)) throw new Error(`prefix levels: share ${share} is not in (0, 1]`);
    const level: Record<string, number> = {};
    for (const group of analysis.groups) {
      const above = k === 0 ? group.size : keep[k - 1][group.id] ?? group.size;
      const kept = Math.min(above, Math.max(1, Math.round(share * group.size)));
      if (kept < group.size) level[group.id] = kept;
    }
    keep.push(level);
  });
  return { full: g, keep };
}
