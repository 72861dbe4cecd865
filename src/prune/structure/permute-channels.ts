// Reorder the channels of prune groups: every parameter slice a group touches is permuted at the positions pruneChannels
// would cut, so the graph computes the same function with its channels in another order (nested levels keep prefixes).

import { UserError } from '../../errors.js';
import { cloneGraph, type Graph } from '../../ir/graph.js';
import { takeElements } from '../../ops/util/tensor-copy.js';
import { remappedIndex } from './axis-index.js';
import { analyzePruneGroups } from './dependency-graph.js';
import { spanPositions, type ParamTouch, type PruneAnalysis, type PruneGroup } from './types.js';

/** New channel order by group id: order[i] is the old index of the channel that becomes channel i. */
export type ChannelOrders = ReadonlyMap<string, readonly number[]> | Readonly<Record<string, readonly number[]>>;

function checkOrders(analysis: PruneAnalysis, orders: ChannelOrders): [PruneGroup, readonly number[]][] {
  const entries: [string, readonly number[]][] = orders instanceof Map ? [...orders] : Object.entries(orders);
  const byId = new Map(analysis.groups.map((grp) => [grp.id, grp]));
  return entries.map(([id, order]) => {
    const grp = byId.get(id);
    if (!grp) throw new UserError(`no prunable group '${id}' in this graph (groups: ${[...byId.keys()].join(', ') || 'none'})`);
    const seen = new Set(order);
    const valid = order.length === grp.size && seen.size === grp.size && order.every((c) => Number.isInteger(c) && c >= 0 && c < grp.size);
    if (!valid) throw new UserError(`prune group '${id}': [${order.join(', ')}] is not an order of its ${grp.size} channels`, `give each of 0..${grp.size - 1} exactly once`);
    return [grp, order];
  });
}

/** A touch's identity: the same slice listed twice by a group is permuted once. */
const touchKey = (t: ParamTouch) => `${t.tensor}\u0000${t.axis}\u0000${t.offset}\u0000${t.block}\u0000${t.period}\u0000${t.repeat}`;

/**
 * `g` with the channels of the groups in `orders` reordered (the input is not changed). Run-time values only change
 * order, not shape, so nothing but the parameters moves. `analysis` must be analyzePruneGroups(g) of this same graph.
 */
export function permuteChannels(g: Graph, orders: ChannelOrders, analysis: PruneAnalysis = analyzePruneGroups(g)): Graph {
  // tensor → axis → source position of every position along the axis
  const sources = new Map<string, Map<number, Int32Array>>();
  for (const [grp, order] of checkOrders(analysis, orders)) {
    const done = new Set<string>();
    for (const t of grp.params) {
      if (done.has(touchKey(t))) continue;
      done.add(touchKey(t));
      const tensor = g.initializers.get(t.tensor);
      if (!tensor) throw new Error(`permute channels: initializer '${t.tensor}' of group '${grp.id}' is missing`);
      const axes = sources.get(t.tensor) ?? new Map<number, Int32Array>();
      const before = axes.get(t.axis) ?? Int32Array.from({ length: tensor.shape[t.axis] }, (_, i) => i);
      const after = before.slice();
      for (let i = 0; i < grp.size; i++) {
        const to = spanPositions(t, i);
        const from = spanPositions(t, order[i]);
        to.forEach((p, j) => (after[p] = before[from[j]]));
      }
      axes.set(t.axis, after);
      sources.set(t.tensor, axes);
    }
  }
  const out = cloneGraph(g);
  for (const [name, axes] of sources) {
    const t = g.initializers.get(name)!;
    out.initializers.set(name, takeElements(t, t.shape, remappedIndex(t.shape, t.shape, axes)));
  }
  return out;
}
