// Shape and type inference over the whole graph, in execution order, using each op's `infer`.

import { nodeError, UserError } from '../errors.js';
import type { InferInput } from '../ops/op-def.js';
import { opFor } from '../ops/registry.js';
import { dimsToString, isStaticShape, type Graph, type Node } from './graph.js';
import { nodeAttrs } from './interpreter.js';
import { tensorShapeProblem } from './limits.js';

/** Types of a node's inputs as inference sees them (constants carry their value). */
export function inferInputs(g: Graph, node: Node): (InferInput | undefined)[] {
  return node.inputs.map((name) => {
    if (!name) return undefined;
    const init = g.initializers.get(name);
    if (init) return { dtype: init.dtype, shape: init.shape, value: init };
    const v = g.values.get(name);
    if (!v) throw nodeError(node, `input '${name}' is not produced by any earlier node, graph input or initializer`);
    if (!isStaticShape(v.shape)) {
      throw new UserError(`value '${name}' has a dynamic shape ${dimsToString(v.shape)}`, 'fix the input shapes with --input-shape name=1x3x224x224');
    }
    return { dtype: v.dtype, shape: v.shape };
  });
}

/** Infer one node's outputs; refuses an output past the tensor limits (src/ir/limits.ts) before anything holds it. */
export function inferNode(g: Graph, node: Node): InferInput[] {
  const op = opFor(node);
  const outs = op.infer(inferInputs(g, node), nodeAttrs(node), node);
  const wanted = node.outputs.length;
  if (outs.length < node.outputs.filter((o) => o).length) {
    throw new Error(`shape inference of node '${node.name}' (${node.opType}) gave ${outs.length} outputs for ${wanted}`);
  }
  node.outputs.forEach((name, i) => {
    const problem = name ? tensorShapeProblem(outs[i].shape, outs[i].dtype) : undefined;
    if (problem) throw nodeError(node, `output '${name}' ${problem}`, 'the model is corrupt, or far larger than any microcontroller model');
  });
  return outs;
}

/** Fill `g.values` for every node output and check the declared graph outputs. Mutates g. */
export function inferShapes(g: Graph): void {
  for (const input of g.inputs) g.values.set(input.name, { ...input, shape: [...input.shape] });
  for (const node of g.nodes) {
    const outs = inferNode(g, node);
    node.outputs.forEach((name, i) => {
      if (name) g.values.set(name, { name, dtype: outs[i].dtype, shape: [...outs[i].shape] });
    });
  }
  resolveGraphOutputs(g);
}

/** Replace the declared graph outputs by their inferred types, refusing contradictions. Mutates g. */
export function resolveGraphOutputs(g: Graph): void {
  g.outputs = g.outputs.map((declared) => {
    const init = g.initializers.get(declared.name);
    const found = init ? { name: declared.name, dtype: init.dtype, shape: [...init.shape] } : g.values.get(declared.name);
    if (!found) throw new UserError(`graph output '${declared.name}' is not produced by any node`);
    if (declared.dtype !== found.dtype) {
      throw new UserError(`graph output '${declared.name}' is declared ${declared.dtype} but computes ${found.dtype}`);
    }
    // (a declared 0 batch is how some exporters write a dynamic one, as on inputs)
    const clash = declared.shape.length === found.shape.length &&
      declared.shape.some((d, i) => typeof d === 'number' && d !== found.shape[i] && !(i === 0 && d === 0));
    if (clash) {
      throw new UserError(`graph output '${declared.name}' is declared ${dimsToString(declared.shape)} but computes ${dimsToString(found.shape)}`);
    }
    return { ...found, shape: [...found.shape] };
  });
}
