// Infer shapes node by node and replace every node whose outputs are known constants by initializers.

import { cloneGraph, type Graph } from '../ir/graph.js';
import { inferInputs, inferNode, resolveGraphOutputs } from '../ir/infer-shapes.js';
import { evaluateNode } from '../ir/interpreter.js';
import { opFor } from '../ops/registry.js';
import type { Pass } from './pass.js';

/** Folded outputs larger than this many elements stay computed at run time, except weight transforms. */
const MAX_FOLDED_ELEMENTS = 1 << 24;

/**
 * Shape arithmetic as PyTorch exports it (Shape → Gather → Unsqueeze → Concat → Reshape) becomes
 * constants, so Reshape and friends see a constant shape. Also fills `values` for every output.
 */
export const foldConstants: Pass = {
  name: 'fold-constants',
  run(input: Graph) {
    const g = cloneGraph(input);
    for (const v of g.inputs) g.values.set(v.name, { ...v, shape: [...v.shape] });
    const kept = [];
    let changed = false;
    for (const node of g.nodes) {
      const op = opFor(node);
      const outs = inferNode(g, node);
      const live = node.outputs.filter((o) => o);
      const canFold = !op.keepUnfolded && !op.nondeterministic && live.length > 0;
      const ins = inferInputs(g, node);
      const allInputsConst = ins.every((i) => i === undefined || i.value !== undefined);
      const allOutputsKnown = node.outputs.every((o, i) => !o || outs[i].value !== undefined);
      if (canFold && (allOutputsKnown || allInputsConst)) {
        const values = allOutputsKnown
          ? outs.map((o) => o.value)
          : evaluateNode(node, ins.map((i) => i?.value));
        const small = values.every((v, i) => !node.outputs[i] || (v !== undefined && v.size <= MAX_FOLDED_ELEMENTS));
        if (small) {
          node.outputs.forEach((name, i) => {
            if (name) g.initializers.set(name, values[i]!);
          });
          changed = true;
          continue;
        }
      }
      node.outputs.forEach((name, i) => {
        if (name) g.values.set(name, { name, dtype: outs[i].dtype, shape: [...outs[i].shape] });
      });
      kept.push(node);
    }
    g.nodes = kept;
    resolveGraphOutputs(g);
    return { graph: g, changed };
  },
};
