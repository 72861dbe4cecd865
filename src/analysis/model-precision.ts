// Whether a model is quantized: the precision its values run in (float32, or int8 once any run-time value is int8).

import { EDGEPRUNE_DOMAIN } from '../ops/util/int8-params.js';
import type { Graph, Node } from '../ir/graph.js';

export type Precision = 'float32' | 'int8';

export const PRECISIONS: readonly Precision[] = ['float32', 'int8'];

export interface ModelPrecision {
  precision: Precision;
  /** For an int8 model, the first node that makes int8 values (or runs an int8 op). */
  firstInt8Node?: Node;
}

/**
 * int8 when a node of edgeprune's int8 domain runs, or a node computes an int8 value at run time (QuantizeLinear's
 * output, an int8 MaxPool, ...); float32 otherwise. Constant int8 tensors alone (e.g. the quantized weights of a QDQ
 * model, dequantized before use) leave a model float32: its computation is float.
 */
export function modelPrecision(g: Graph): ModelPrecision {
  for (const node of g.nodes) {
    const int8Output = node.outputs.some((o) => o && !g.initializers.has(o) && g.values.get(o)?.dtype === 'int8');
    if (node.domain === EDGEPRUNE_DOMAIN || int8Output) return { precision: 'int8', firstInt8Node: node };
  }
  for (const v of g.inputs) if (v.dtype === 'int8') return { precision: 'int8' };
  return { precision: 'float32' };
}
