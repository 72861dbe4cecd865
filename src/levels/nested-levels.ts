// Nested levels of one model (issue 15 §2): the full model with every prune group's channels in order of importance,
// and per level how many of each group's channels it keeps. Every level keeps a prefix of each group, so each level's
// structure is a subset of the one above, and its weights are slices of the full model's (shared in flash).

import { analyzePruneGroups, pruneChannels, type PruneAnalysis } from '../prune/structure/index.js';
import type { Graph } from '../ir/graph.js';

export interface NestedLevels {
  /** The largest level's model: each prune group's channels ordered most important first. */
  full: Graph;
  /**
   * Levels from the largest (index 0) to the smallest: channels kept per prune group id (the first `keep` of the
   * group); a group not listed keeps all its channels. Counts never grow from one level to the next.
   */
  keep: ReadonlyArray<Readonly<Record<string, number>>>;
}

/** The channels level `k` removes from each group of `full`: the trailing ones beyond its kept count. */
export function levelRemovals(levels: NestedLevels, k: number, analysis: PruneAnalysis = analyzePruneGroups(levels.full)): Map<string, number[]> {
  if (!Number.isInteger(k) || k < 0 || k >= levels.keep.length) throw new Error(`nested levels: no level ${k} (there are ${levels.keep.length})`);
  const removals = new Map<string, number[]>();
  for (const group of analysis.groups) {
    const kept = levels.keep[k][group.id] ?? group.size;
    if (kept < group.size) removals.set(group.id, Array.from({ length: group.size - kept }, (_, i) => kept + i));
  }
  return removals;
}

/** Level `k` as a graph of its own: `full` without each group's channels beyond the level's count. */
export function levelGraph(levels: NestedLevels, k: number, analysis: PruneAnalysis = analyzePruneGroups(levels.full)): Graph {
  return pruneChannels(levels.full, levelRemovals(levels, k, analysis), analysis);
}

/**
 * Throws (an edgeprune bug, not a user's mistake) unless `levels` is well formed: at least one level, every group id
 * known and prunable, every count an integer in [1, size], and no count larger than the level above's.
 */
export function checkNested(levels: NestedLevels, analysis: PruneAnalysis = analyzePruneGroups(levels.full)): void {
  if (levels.keep.length === 0) throw new Error('nested levels: no level');
  const sizes = new Map(analysis.groups.map((g) => [g.id, g.size]));
  levels.keep.forEach((keep, k) => {
    for (const [id, count] of Object.entries(keep)) {
      const size = sizes.get(id);
      if (size === undefined) throw new Error(`nested levels: level ${k} names '${id}', not a prunable group of the model`);
      if (!Number.isInteger(count) || count < 1 || count > size) throw new Error(`nested levels: level ${k} keeps ${count} of the ${size} channels of '${id}'`);
      const above = k === 0 ? size : levels.keep[k - 1][id] ?? size;
      if (count > above) throw new Error(`nested levels: level ${k} keeps ${count} channels of '${id}', more than level ${k - 1}'s ${above}`);
    }
  });
}
