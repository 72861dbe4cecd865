// The inverse of slicing a level out of nested levels: a level's (fine-tuned) weights written back into the full
// model's slices they came from, so that every level shares one set of weights.

import { cloneGraph, type Graph } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { remappedIndex } from '../prune/structure/axis-index.js';
import { analyzePruneGroups, spanPositions, type PruneAnalysis } from '../prune/structure/index.js';
import { levelRemovals, type NestedLevels } from './nested-levels.js';

/** For every parameter level `k` slices: per axis, the full model's positions the level keeps, in order. */
export function levelSlices(levels: NestedLevels, k: number, analysis: PruneAnalysis = analyzePruneGroups(levels.full)): Map<string, Map<number, number[]>> {
  const removals = levelRemovals(levels, k, analysis);
  const cut = new Map<string, Map<number, Set<number>>>();
  for (const group of analysis.groups) {
    const channels = removals.get(group.id);
    if (!channels) continue;
    for (const t of group.params) {
      const axes = cut.get(t.tensor) ?? new Map<number, Set<number>>();
      const drop = axes.get(t.axis) ?? new Set<number>();
      for (const c of channels) for (const p of spanPositions(t, c)) drop.add(p);
      axes.set(t.axis, drop);
      cut.set(t.tensor, axes);
    }
  }
  const kept = new Map<string, Map<number, number[]>>();
  for (const [name, axes] of cut) {
    const shape = levels.full.initializers.get(name)!.shape;
    kept.set(name, new Map([...axes].map(([axis, drop]) => [axis, Array.from({ length: shape[axis] }, (_, i) => i).filter((i) => !drop.has(i))])));
  }
  return kept;
}

/**
 * `levels.full` with the float parameters of `level` (a graph of levelGraph(levels, k)'s structure, e.g. after
 * fine-tuning) written into the positions level `k` keeps; every other position stays. Shape constants (a Reshape's
 * target, rewritten by the slicing) are the full model's own and stay.
 */
export function scatterLevelWeights(levels: NestedLevels, k: number, level: Graph, analysis: PruneAnalysis = analyzePruneGroups(levels.full)): Graph {
  const slices = levelSlices(levels, k, analysis);
  const out = cloneGraph(levels.full);
  for (const [name, full] of levels.full.initializers) {
    if (full.dtype !== 'float32') continue;
    const part = level.initializers.get(name);
    if (!part) throw new Error(`scatter level ${k}: the level has no initializer '${name}'`);
    const axes = slices.get(name) ?? new Map<number, number[]>();
    const shape = full.shape.map((d, axis) => axes.get(axis)?.length ?? d);
    if (part.shape.join(',') !== shape.join(',')) throw new Error(`scatter level ${k}: '${name}' is [${part.shape.join(',')}], level ${k} slices [${shape.join(',')}] of it`);
    const into = remappedIndex(part.shape, full.shape, axes);
    const data = full.data.slice() as Float32Array;
    const from = part.data as Float32Array;
    for (let i = 0; i < into.length; i++) data[into[i]] = from[i];
    out.initializers.set(name, new Tensor('float32', full.shape, data));
  }
  return out;
}
