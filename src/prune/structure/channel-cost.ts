// What one channel of a prune group costs: the MACs and parameters its removal saves, as model-stats counts them.
//
// Each parameter slice the group touches removes block·repeat positions of one axis per channel. For a
// tensor cut on several axes by the same group (a Conv whose input and output are both coupled to the
// group, as in y = conv(x) + x) the first channel saves size·(1 − Π(1 − cut/len)), so that the numbers
// are exact for removing one channel from the current graph. A node's MACs scale with its weight
// tensor, so the same fraction of the node's MACs (from modelStats) goes. Constants their op gives no
// parameter role (the exponent of a Pow, say) count 0 parameters here, as in model-stats.

import { modelStats } from '../../analysis/model-stats.js';
import type { Graph } from '../../ir/graph.js';
import type { ChannelCost, ParamTouch, PruneGroup } from './types.js';

/** MACs of every node, by node name (from modelStats). */
export function nodeMacsOf(g: Graph): Map<string, number> {
  return new Map(modelStats(g).layers.map((l) => [l.name, l.macs]));
}

/** Cost of one channel given a group's parameter slices. */
export function costPerChannel(g: Graph, params: readonly ParamTouch[], nodeMacs: Map<string, number>): ChannelCost {
  // tensor → (axis → positions one channel removes)
  const cuts = new Map<string, { touch: ParamTouch; axes: Map<number, number> }>();
  for (const t of params) {
    const entry = cuts.get(t.tensor) ?? { touch: t, axes: new Map<number, number>() };
    entry.axes.set(t.axis, (entry.axes.get(t.axis) ?? 0) + t.block * t.repeat);
    cuts.set(t.tensor, entry);
  }
  let macs = 0;
  let params_ = 0;
  for (const [name, { touch, axes }] of cuts) {
    const tensor = g.initializers.get(name);
    if (!tensor) continue;
    let kept = 1;
    for (const [axis, cut] of axes) kept *= 1 - Math.min(cut, tensor.shape[axis]) / tensor.shape[axis];
    const fraction = 1 - kept;
    if (touch.role !== 'constant') params_ += tensor.size * fraction;
    if (touch.role === 'weight') macs += (nodeMacs.get(touch.node) ?? 0) * fraction;
  }
  return { macs: Math.round(macs), params: Math.round(params_) };
}

/** MACs and parameters one channel of `group` costs in `g` (g must be the graph the group was found in). */
export function channelCost(g: Graph, group: PruneGroup): ChannelCost {
  return costPerChannel(g, group.params, nodeMacsOf(g));
}

/** Per-channel costs of many groups with one model-stats run, by group id. */
export function groupCosts(g: Graph, groups: readonly PruneGroup[]): Map<string, ChannelCost> {
  const nodeMacs = nodeMacsOf(g);
  return new Map(groups.map((grp) => [grp.id, costPerChannel(g, grp.params, nodeMacs)]));
}
