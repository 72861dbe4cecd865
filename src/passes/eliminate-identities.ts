// Remove nodes whose output is their first input unchanged: Identity, inference Dropout, no-op reshapes.

import { cloneGraph, staticInfo, type Graph, type Node } from '../ir/graph.js';
import { sameShape } from '../ir/tensor.js';
import type { Pass } from './pass.js';

/** Ops that only relabel their first input's shape (or not even that). */
const SHAPE_ONLY_OPS = new Set(['Identity', 'Flatten', 'Reshape', 'Squeeze', 'Unsqueeze']);

function passesInputThrough(g: Graph, node: Node): boolean {
  if (node.domain !== '') return false;
  const data = node.inputs[0];
  const out = node.outputs[0];
  if (!data || !out) return false;
  if (node.opType === 'Dropout') {
    // In inference Dropout is the identity; its mask output must be unused.
    if (node.outputs.slice(1).some((o) => o)) return false;
    const trainingInput = node.inputs[2];
    const training = trainingInput ? g.initializers.get(trainingInput) : undefined;
    if (trainingInput && (!training || training.at(0) !== 0)) return false;
  } else if (!SHAPE_ONLY_OPS.has(node.opType)) {
    return false;
  }
  return sameShape(staticInfo(g, data).shape, staticInfo(g, out).shape);
}

export const eliminateIdentities: Pass = {
  name: 'eliminate-identities',
  run(input: Graph) {
    const g = cloneGraph(input);
    const graphOutputs = new Set(g.outputs.map((o) => o.name));
    const graphInputs = new Set(g.inputs.map((i) => i.name));
    let changed = false;
    for (const node of [...g.nodes]) {
      if (!passesInputThrough(g, node)) continue;
      const from = node.inputs[0];
      const to = node.outputs[0];
      let keep = from;
      let drop = to;
      if (graphOutputs.has(to)) {
        // The graph output's name must survive: rename the input instead, if it is a computed value.
        if (graphInputs.has(from) || graphOutputs.has(from) || g.initializers.has(from)) continue;
        keep = to;
        drop = from;
      }
      g.nodes = g.nodes.filter((n) => n !== node);
      for (const n of g.nodes) {
        n.inputs = n.inputs.map((i) => (i === drop ? keep : i));
        n.outputs = n.outputs.map((o) => (o === drop ? keep : o));
      }
      g.values.delete(drop);
      changed = true;
    }
    return { graph: g, changed };
  },
};
