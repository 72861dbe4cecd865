// Infer shapes node by node and replace every node whose outputs are known constants by initializers.

import { cloneGraph, type Graph, type Node } from '../ir/graph.js';
import { inferInputs, inferNode, resolveGraphOutputs } from '../ir/infer-shapes.js';
import { evaluateNode, nodeAttrs } from '../ir/interpreter.js';
import { Budget, limits, storageBytesPerElement } from '../ir/limits.js';
import { shapeSize } from '../ir/tensor.js';
import type { InferInput, OpDef } from '../ops/op-def.js';
import { opFor } from '../ops/registry.js';
import type { Pass } from './pass.js';

const elements = (values: readonly (InferInput | undefined)[]) => values.reduce((s, v) => s + (v ? shapeSize(v.shape) : 0), 0);

/** Elementary operations evaluating the node takes: each element visited once, plus its MACs and window taps. */
function evaluationWork(op: OpDef<unknown>, node: Node, ins: (InferInput | undefined)[], outs: InferInput[]): number {
  const attrs = nodeAttrs(node);
  return elements(ins) + elements(outs) + (op.macs?.(ins, outs, attrs) ?? 0) + (op.evaluationWork?.(ins, outs, attrs) ?? 0);
}

/**
 * Shape arithmetic as PyTorch exports it (Shape → Gather → Unsqueeze → Concat → Reshape) becomes
 * constants, so Reshape and friends see a constant shape. Also fills `values` for every output.
 * Folding is bounded (src/ir/limits.ts): a node whose evaluation would pass what is left of the model's
 * folding work, or whose outputs would pass its constant bytes, stays a run-time node; no output is
 * computed before its size is known to fit.
 */
export const foldConstants: Pass = {
  name: 'fold-constants',
  run(input: Graph) {
    const g = cloneGraph(input);
    const lim = limits();
    const work = new Budget(lim.maxFoldWork, 'operations', 'constant folding');
    const constants = new Budget(lim.maxConstantBytes, 'bytes', "the model's constants");
    for (const t of g.initializers.values()) constants.charge(t.size * storageBytesPerElement(t.dtype), 'the initializers');
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
        const bytes = node.outputs.reduce((s, o, i) => s + (o ? shapeSize(outs[i].shape) * storageBytesPerElement(outs[i].dtype) : 0), 0);
        const cost = allOutputsKnown ? 0 : evaluationWork(op, node, ins, outs);
        if (work.fits(cost) && constants.fits(bytes)) {
          work.charge(cost, `node '${node.name}'`);
          constants.charge(bytes, `node '${node.name}'`);
          const values = allOutputsKnown ? outs.map((o) => o.value) : evaluateNode(node, ins.map((i) => i?.value));
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
