// Every prune group's channels in order of importance, most important first: the order nested levels keep prefixes of.

import type { Graph } from '../ir/graph.js';
import { analyzePruneGroups, permuteChannels, scoreChannels, type Criterion, type PruneAnalysis } from '../prune/structure/index.js';

/** Per group id, its channels by decreasing score of `criterion` (ties: the lower index first). */
export function importanceOrders(g: Graph, analysis: PruneAnalysis, criterion: Criterion = { kind: 'l1' }): Map<string, number[]> {
  const scores = scoreChannels(g, analysis.groups, criterion, { normalize: 'none' });
  return new Map(scores.map((s) => [s.group, s.raw.map((_, c) => c).sort((a, b) => s.raw[b] - s.raw[a] || a - b)]));
}

/** `g` with every prune group's channels reordered most important first (the same function). */
export function orderByImportance(g: Graph, criterion: Criterion = { kind: 'l1' }): Graph {
  const analysis = analyzePruneGroups(g);
  return permuteChannels(g, importanceOrders(g, analysis, criterion), analysis);
}
