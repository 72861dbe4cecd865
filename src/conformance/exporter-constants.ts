// Which graph inputs of an ONNX node test an exporter would have written as initializers: the one rule for binding them.
//
// The node tests feed everything as graph inputs, weights included; a model exported from a framework holds its
// weights, biases, normalization statistics, Clip bounds, pads and shapes as initializers, and edgeprune (which fixes
// shapes at import and compiles weights into flash) expects them so. A graph input is bound as a constant, with the
// test data's value, when it is not the graph's first input and every node that reads it reads it at a slot that is
// - an integer input (shapes, axes, pads, indices, repeats: always; edgeprune needs them to fix the shapes), or, with
//   `parameters` (the C backend's conformance), also
// - a trained parameter: a slot the op marks in `paramInputs` (Conv/ConvTranspose/Gemm weight and bias,
//   BatchNormalization scale/bias/mean/var, PRelu slope, ...), for ops whose first input is not itself a parameter
//   (Add, Mul, MatMul mark both operands: those are two run-time operands in a node test and stay inputs), or
// - a configuration input: a slot that older opsets held as an attribute (CONFIGURATION_INPUTS below).
// A node's first input is never bound: it is the data the node works on.

import { isInteger } from '../ir/dtype.js';
import type { Graph, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { findOp } from '../ops/registry.js';

/** Float inputs that were attributes in older opsets (Clip min/max until opset 11, Pad's value and Dropout's ratio). */
const CONFIGURATION_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Clip: [1, 2],
  Pad: [1, 2, 3],
  Dropout: [1, 2],
};

export interface BindRule {
  /** Also bind trained parameters and configuration inputs (not only integer inputs). */
  parameters: boolean;
}

/** True when an exporter would write this node's input `slot` as an initializer. */
function exporterConstantSlot(node: Node, slot: number): boolean {
  if (slot === 0) return false;
  if (CONFIGURATION_INPUTS[node.opType]?.includes(slot)) return true;
  const params = findOp(node.domain, node.opType)?.paramInputs;
  return params !== undefined && params[0] === undefined && params[slot] !== undefined;
}

/**
 * The graph inputs to bind as constants, name → the data set's value, by the rule above. `graph` is the imported
 * (upgraded) graph before binding; `values` the data set's inputs, in graph-input order.
 */
export function exporterConstantInputs(graph: Graph, values: readonly Tensor[], rule: BindRule): Record<string, Tensor> {
  const bound: Record<string, Tensor> = {};
  graph.inputs.forEach((v, i) => {
    const value = values[i];
    if (i === 0 || !value) return;
    if (isInteger(v.dtype)) {
      bound[v.name] = value;
      return;
    }
    if (!rule.parameters) return;
    const uses = graph.nodes.flatMap((node) => node.inputs.flatMap((name, slot) => (name === v.name ? [{ node, slot }] : [])));
    if (uses.length > 0 && uses.every(({ node, slot }) => exporterConstantSlot(node, slot))) bound[v.name] = value;
  });
  return bound;
}
