// Remove nodes whose output is their first input unchanged: Identity, inference Dropout, no-op reshapes.

import { cloneGraph, staticInfo, type Graph, type Node } from '../ir/graph.js';
import { sameShape } from '../ir/tensor.js';
import type { Pass } from './pass.js';

/** Ops that only relabel their first input's shape (or not even that). */
const SHAPE_ONLY_OPS = new Set(['Identity', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze']);

function passesInputThrough(g: Graph, node: Node, resolve: (name: string) => string): boolean {
  if (node.domain !== '') return false;
  const data = node.inputs[0] && resolve(node.inputs[0]);
  const out = node.outputs[0];
  if (!data || !out) return false;
  if (node.opType === 'Dropout') {
    // In inference Dropout is the identity; its mask output must be unused.
    if (node.outputs.slice(1).some((o) => o)) return false;
    const trainingInput = node.inputs[2] && resolve(node.inputs[2]);
    const training = trainingInput ? g.initializers.get(trainingInput) : undefined;
    if (trainingInput && (!training || training.at(0) !== 0)) return false;
  } else if (!SHAPE_ONLY_OPS.has(node.opType)) {
    return false;
  }
  return sameShape(staticInfo(g, data).shape, staticInfo(g, out).shape);
}

/** Value renames, followed to the end (with path compression): each removed node merges two names into one. */
class Renames {
  private readonly to = new Map<string, string>();

  resolve = (name: string): string => {
    const next = this.to.get(name);
    if (next === undefined) return name;
    const last = this.resolve(next);
    if (last !== next) this.to.set(name, last);
    return last;
  };

  merge(drop: string, keep: string): void {
    this.to.set(drop, keep);
  }
}

export const eliminateIdentities: Pass = {
  name: 'eliminate-identities',
  run(input: Graph) {
    const g = cloneGraph(input);
    const graphOutputs = new Set(g.outputs.map((o) => o.name));
    const graphInputs = new Set(g.inputs.map((i) => i.name));
    const renames = new Renames();
    const removed = new Set<Node>();
    for (const node of g.nodes) {
      if (!passesInputThrough(g, node, renames.resolve)) continue;
      const from = renames.resolve(node.inputs[0]);
      const to = node.outputs[0];
      let keep = from;
      let drop = to;
      if (graphOutputs.has(to)) {
        // The graph output's name must survive: rename the input instead, if it is a computed value.
        if (graphInputs.has(from) || graphOutputs.has(from) || g.initializers.has(from)) continue;
        keep = to;
        drop = from;
      }
      removed.add(node);
      renames.merge(drop, keep);
      g.values.delete(drop);
    }
    if (removed.size === 0) return { graph: g, changed: false };
    g.nodes = g.nodes.filter((n) => !removed.has(n));
    for (const n of g.nodes) {
      n.inputs = n.inputs.map((i) => (i ? renames.resolve(i) : i));
      n.outputs = n.outputs.map((o) => (o ? renames.resolve(o) : o));
    }
    return { graph: g, changed: true };
  },
};
