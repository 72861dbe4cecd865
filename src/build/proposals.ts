// The budget search's proposals: per channel group, the same share of every layer, and per weight tensor, the smallest
// reduction that lowers one budgeted cost by a step (priced by the cost model; fine-tuning is the search's job).

import { countZeros } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import { analyzePruneGroups, pruneChannels, rankChannels, scoreChannels, uniformRemovals, type Criterion } from '../prune/structure/index.js';
import { applyMasks, magnitudeMasks, masksFromZeros, prunableWeights, type Masks } from '../prune/weight-masks.js';
import type { BudgetName, Costs } from './budgets.js';

/** Predicts the budgeted costs of a graph (the cost model, bound to a target). */
export type CostPredictor<N extends string = BudgetName> = (g: Graph) => Costs<N>;

export interface Proposal<N extends string = BudgetName> {
  kind: 'structured' | 'weight';
  /** What is removed, e.g. "conv2: 3 of 16 filters" or "fc1: weights to 60% zeros". */
  description: string;
  graph: Graph;
  masks: Masks;
  costs: Costs<N>;
  /** Weight proposals: the weight tensor pruned further. */
  weight?: string;
}

/** Weight proposals stop at this sparsity. */
const MAX_SPARSITY = 0.98;

/** Smallest k in [1, max] with ok(k), by bisection (ok is monotone in k); undefined when ok(max) fails. */
export function smallestSatisfying(max: number, ok: (k: number) => boolean): number | undefined {
  if (max < 1 || !ok(max)) return undefined;
  let lo = 1;
  let hi = max;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Per channel group: remove the fewest least important channels that lower `resource` by `step`. */
export function structuredProposals<N extends string>(g: Graph, predict: CostPredictor<N>, resource: N, step: number, criterion: 'l1' | 'l2' | 'redundancy'): Proposal<N>[] {
  const analysis = analyzePruneGroups(g);
  const before = predict(g)[resource];
  const crit: Criterion = { kind: criterion };
  const scores = rankChannels(scoreChannels(g, analysis.groups, crit, { normalize: 'none' }));
  const out: Proposal<N>[] = [];
  for (const group of analysis.groups) {
    // Channels of this group, least important first; keep at least one.
    const order = scores.filter((s) => s.group === group.id).map((s) => s.channel);
    const cache = new Map<number, { graph: Graph; costs: Costs<N> }>();
    const pruned = (k: number) => {
      let c = cache.get(k);
      if (!c) {
        const graph = pruneChannels(g, new Map([[group.id, order.slice(0, k)]]), analysis);
        c = { graph, costs: predict(graph) };
        cache.set(k, c);
      }
      return c;
    };
    const k = smallestSatisfying(group.size - 1, (n) => before - pruned(n).costs[resource] >= step);
    if (k === undefined) continue;
    const { graph, costs } = pruned(k);
    out.push({ kind: 'structured', description: `${group.id}: ${k} of ${group.size} ${group.kind}`, graph, masks: masksFromZeros(graph), costs });
  }
  const every = everyLayerProposal(g, analysis, crit, predict, resource, step, before);
  if (every) out.push(every);
  return out;
}

/**
 * The same fraction of every layer's channels (uniform pruning), the smallest in 1% levels that lowers `resource` by
 * `step`; none when it would touch fewer than two layers (a one-layer proposal says the same). Greedy one-layer steps
 * fine-tuned for an epoch each can end less accurate than cutting every layer a little: the panel's uniform baseline
 * was as accurate as the search at half the instructions, and more at a third.
 */
function everyLayerProposal<N extends string>(g: Graph, analysis: ReturnType<typeof analyzePruneGroups>, crit: Criterion, predict: CostPredictor<N>, resource: N, step: number, before: number): Proposal<N> | undefined {
  if (analysis.groups.length < 2) return undefined;
  const cuts = uniformCuts(g, analysis, crit, predict);
  const level = smallestSatisfying(99, (n) => before - cuts.at(n).costs[resource] >= step);
  if (level === undefined) return undefined;
  const { removals, graph, costs } = cuts.at(level);
  if (removals.size < 2) return undefined;
  return { kind: 'structured', description: cuts.describe(level), graph, masks: masksFromZeros(graph), costs };
}

/**
 * Uniform cuts of `g` by 1% level (the same fraction of every group's channels, the least important by `crit`), each
 * pruned and priced once when first asked for; `describe` names one: "every layer 12% (fc1 8 of 64, fc2 4 of 32)".
 * The build's every-layer proposal and its uniform contender both search these levels.
 */
export function uniformCuts<N extends string>(g: Graph, analysis: ReturnType<typeof analyzePruneGroups>, crit: Criterion, predict: CostPredictor<N>) {
  const cache = new Map<number, { removals: Map<string, number[]>; graph: Graph; costs: Costs<N> }>();
  const at = (level: number) => {
    let c = cache.get(level);
    if (!c) {
      const removals = uniformRemovals(g, analysis, level / 100, crit);
      const graph = pruneChannels(g, removals, analysis);
      c = { removals, graph, costs: predict(graph) };
      cache.set(level, c);
    }
    return c;
  };
  const describe = (level: number) => {
    const { removals } = at(level);
    const parts = analysis.groups.filter((gr) => removals.has(gr.id)).map((gr) => `${gr.id} ${removals.get(gr.id)!.length} of ${gr.size}`);
    return `every layer ${level}% (${parts.join(', ')})`;
  };
  return { at, describe };
}

/** Per weight tensor: the lowest sparsity (in 1% steps) that lowers `resource` by `step`. */
export function weightProposals<N extends string>(g: Graph, masks: Masks, predict: CostPredictor<N>, resource: N, step: number): Proposal<N>[] {
  const before = predict(g)[resource];
  const out: Proposal<N>[] = [];
  for (const [name, t] of prunableWeights(g)) {
    const current = countZeros(t) / t.size;
    const levels = Math.floor((MAX_SPARSITY - current) * 100);
    const at = (n: number) => {
      const target = current + n / 100;
      const layerMasks = magnitudeMasks(g, target, 'layer', masks);
      const next = new Map(masks);
      next.set(name, layerMasks.get(name)!);
      const graph = applyMasks(g, next);
      return { graph, masks: next, costs: predict(graph), target };
    };
    const cache = new Map<number, ReturnType<typeof at>>();
    const get = (n: number) => cache.get(n) ?? (cache.set(n, at(n)), cache.get(n)!);
    const n = smallestSatisfying(levels, (k) => before - get(k).costs[resource] >= step);
    if (n === undefined) continue;
    const p = get(n);
    out.push({ kind: 'weight', description: `${name}: weights to ${(p.target * 100).toFixed(0)}% zeros`, graph: p.graph, masks: p.masks, costs: p.costs, weight: name });
  }
  return out;
}
