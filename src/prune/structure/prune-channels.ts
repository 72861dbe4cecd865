// Structural surgery: remove channels of prune groups and return a physically smaller, verified graph.
//
// Every parameter slice a group touches loses the positions of the removed channels (Conv filters and
// input channels, Gemm/MatMul rows or columns, biases, BatchNorm parameters, per-channel constants,
// depthwise filters); a depthwise Conv's `group` shrinks with its channels; a Reshape that moves
// channels gets its target shape rewritten. Shapes are then re-inferred and the graph verified.

import { UserError } from '../../errors.js';
import { attr } from '../../ir/builder.js';
import { cloneGraph, staticInfo, type Graph } from '../../ir/graph.js';
import { inferShapes } from '../../ir/infer-shapes.js';
import { invalidateAttrs, nodeAttrs } from '../../ir/interpreter.js';
import { shapeSize, Tensor } from '../../ir/tensor.js';
import { verifyGraph } from '../../ir/verify.js';
import type { ConvAttrs } from '../../ops/util/conv-geometry.js';
import { copyRange } from '../../ops/util/tensor-copy.js';
import { analyzePruneGroups } from './dependency-graph.js';
import { spanPositions, type ChannelSpan, type PruneAnalysis, type PruneGroup } from './types.js';

/** Channels to remove, by group id. */
export type ChannelRemovals = ReadonlyMap<string, readonly number[]> | Readonly<Record<string, readonly number[]>>;

/** Positions cut per axis, by tensor or value name. */
type Cuts = Map<string, Map<number, Set<number>>>;

function addCut(cuts: Cuts, name: string, axis: number, span: ChannelSpan, channels: readonly number[]): void {
  const axes = cuts.get(name) ?? new Map<number, Set<number>>();
  const positions = axes.get(axis) ?? new Set<number>();
  for (const c of channels) for (const p of spanPositions(span, c)) positions.add(p);
  axes.set(axis, positions);
  cuts.set(name, axes);
}

/** A copy of `t` without the given positions of `axis` (any dtype). */
export function dropAlongAxis(t: Tensor, axis: number, drop: ReadonlySet<number>): Tensor {
  const len = t.shape[axis];
  const keep = Array.from({ length: len }, (_, i) => i).filter((i) => !drop.has(i));
  const shape = [...t.shape];
  shape[axis] = keep.length;
  const out = new Tensor(t.dtype, shape);
  const outer = shapeSize(t.shape.slice(0, axis));
  const inner = shapeSize(t.shape.slice(axis + 1));
  let dst = 0;
  for (let o = 0; o < outer; o++) {
    for (const k of keep) {
      copyRange(t, (o * len + k) * inner, out, dst, inner);
      dst += inner;
    }
  }
  return out;
}

function checkRemovals(analysis: PruneAnalysis, removals: ChannelRemovals): [PruneGroup, number[]][] {
  const entries: [string, readonly number[]][] = removals instanceof Map ? [...removals] : Object.entries(removals);
  const byId = new Map(analysis.groups.map((grp) => [grp.id, grp]));
  const out: [PruneGroup, number[]][] = [];
  for (const [id, channels] of entries) {
    const grp = byId.get(id);
    if (!grp) {
      const b = analysis.blocked.find((x) => x.id === id);
      if (b) throw new UserError(`prune group '${id}' cannot be pruned: ${b.reasons.join('; ')}`);
      throw new UserError(`no prune group '${id}' in this graph (groups: ${[...byId.keys()].join(', ') || 'none'})`);
    }
    if (channels.length === 0) continue;
    const bad = channels.filter((c) => !Number.isInteger(c) || c < 0 || c >= grp.size);
    if (bad.length) throw new UserError(`prune group '${id}' has channels 0..${grp.size - 1}; cannot remove ${bad.join(', ')}`);
    const unique = new Set(channels);
    if (unique.size !== channels.length) throw new UserError(`prune group '${id}': channel list [${channels.join(', ')}] repeats a channel`);
    if (unique.size >= grp.size) throw new UserError(`prune group '${id}': removing ${unique.size} of its ${grp.size} channels would leave none (keep at least 1)`);
    out.push([grp, [...unique].sort((a, b) => a - b)]);
  }
  return out;
}

/**
 * Remove channels from prune groups: `removals` maps a group id (from findPruneGroups on this same
 * graph) to channel indices in [0, size). Returns a new graph (the input is not changed); throws a
 * UserError on unknown or blocked groups, bad, repeated or all indices. `analysis` must be
 * analyzePruneGroups(g) of this same graph (pass it to skip recomputing it).
 */
export function pruneChannels(g: Graph, removals: ChannelRemovals, analysis: PruneAnalysis = analyzePruneGroups(g)): Graph {
  const plan = checkRemovals(analysis, removals);
  const paramCuts: Cuts = new Map();
  const valueCuts: Cuts = new Map();
  for (const [grp, channels] of plan) {
    for (const t of grp.params) addCut(paramCuts, t.tensor, t.axis, t, channels);
    for (const v of grp.values) addCut(valueCuts, v.value, v.axis, v, channels);
  }
  const out = cloneGraph(g);
  if (plan.length === 0) return out;
  for (const [name, axes] of paramCuts) {
    let t = out.initializers.get(name);
    if (!t) throw new Error(`prune surgery: initializer '${name}' is missing`);
    for (const [axis, drop] of axes) t = dropAlongAxis(t, axis, drop);
    out.initializers.set(name, t);
  }
  const uses = new Map<string, number>();
  for (const n of out.nodes) for (const i of n.inputs) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
  const taken = new Set([...out.initializers.keys(), ...out.values.keys(), ...out.inputs.map((i) => i.name)]);
  for (const node of out.nodes) {
    if (node.domain !== '') continue;
    if (node.opType === 'Conv') {
      // Depthwise: the group count follows the channel count (M = group · multiplier).
      const { group } = nodeAttrs(node) as ConvAttrs;
      const cut = paramCuts.get(node.inputs[1])?.get(0);
      if (group > 1 && cut) {
        const oldM = g.initializers.get(node.inputs[1])!.shape[0];
        const newM = out.initializers.get(node.inputs[1])!.shape[0];
        node.attrs = { ...node.attrs, group: attr.int((group * newM) / oldM) };
        invalidateAttrs(node);
      }
    } else if (node.opType === 'Reshape') {
      const cut = valueCuts.get(node.outputs[0]);
      if (!cut) continue;
      const target = [...staticInfo(g, node.outputs[0]).shape];
      for (const [axis, drop] of cut) target[axis] -= drop.size;
      const original = g.initializers.get(node.inputs[1])!;
      const requested = original.toNumbers();
      const { allowZero } = nodeAttrs(node) as { allowZero: boolean };
      // Keep -1 (still inferred right) and 0 where it still copies the right input dim; write the rest.
      const inCut = valueCuts.get(node.inputs[0]);
      const newIn = staticInfo(g, node.inputs[0]).shape.map((d, i) => d - (inCut?.get(i)?.size ?? 0));
      const shape = requested.map((d, i) => (d === -1 || (d === 0 && !allowZero && newIn[i] === target[i]) ? d : target[i]));
      let name = node.inputs[1];
      if ((uses.get(name) ?? 0) > 1) {
        // A shape constant shared with other nodes keeps its value for them.
        name = `${node.name}_shape_pruned`;
        for (let k = 1; taken.has(name); k++) name = `${node.name}_shape_pruned_${k}`;
        taken.add(name);
        node.inputs = [node.inputs[0], name, ...node.inputs.slice(2)];
      }
      out.initializers.set(name, Tensor.fromNumbers(original.dtype, [shape.length], shape));
    }
  }
  out.values = new Map();
  inferShapes(out);
  verifyGraph(out);
  return out;
}
