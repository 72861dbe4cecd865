// The build's uniform contender: the same share of every layer's channels cut from the model as given, at the smallest
// 1% level the cost model says meets every budget. The search's final fine-tune runs beside the contender's (as long as
// the search's model was fine-tuned in all), and the build keeps whichever scores higher on validation.

import type { Graph } from '../ir/graph.js';
import { analyzePruneGroups, type Criterion } from '../prune/structure/index.js';
import { masksFromZeros, type Masks } from '../prune/weight-masks.js';
import { allHold, type Budget, type Costs } from './budgets.js';
import { smallestSatisfying, uniformCuts, type CostPredictor } from './proposals.js';

export interface Contender<N extends string> {
  graph: Graph;
  masks: Masks;
  /** E.g. "every layer 38% (conv1 3 of 8, conv2 6 of 16, fc1 24 of 64)". */
  description: string;
  costs: Costs<N>;
}

/**
 * The uniform cut of `model` that the cost model says meets every budget, at the smallest 1% level (levels are bisected:
 * a larger cut never costs more); or why there is none: even 99% does not (a budget that channels alone cannot meet),
 * or the model has fewer than two channel groups (the search's own proposals already cover one layer).
 */
export function uniformContender<N extends string>(model: Graph, predict: CostPredictor<N>, budgets: readonly Budget<N>[], criterion: Criterion): Contender<N> | { skipped: string } {
  const analysis = analyzePruneGroups(model);
  if (analysis.groups.length < 2) return { skipped: `the model has ${analysis.groups.length} prunable channel group${analysis.groups.length === 1 ? '' : 's'}, and a uniform cut needs two` };
  const cuts = uniformCuts(model, analysis, criterion, predict);
  const level = smallestSatisfying(99, (n) => allHold(budgets, cuts.at(n).costs));
  if (level === undefined) return { skipped: 'no uniform cut of every layer (up to 99%) meets the budgets: only weight pruning or a deeper cut of one layer does' };
  const { graph, costs } = cuts.at(level);
  return { graph, masks: masksFromZeros(graph), description: cuts.describe(level), costs };
}
