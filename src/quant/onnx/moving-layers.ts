// DequantizeLinear → MaxPool / Reshape / Flatten / Transpose / Concat ... → QuantizeLinear with the same scale and zero
// point → the same op on the int8 values. Exact: these ops only move or select elements (QuantizeLinear rounds the
// dequantized value back to itself), so the int8 graph computes what the QDQ graph did.

import type { Node } from '../../ir/graph.js';
import type { LayerMatcher } from './layer-matcher.js';
import { sameQuant } from './quant-graph.js';
import { dequantizedActivation } from './qdq-layers.js';
import { SHIFT_INVARIANT_OPS } from './uint8-to-int8.js';

/** The data inputs the int8 contract runs these ops on (docs/numerics.md, "int8"); other inputs (shapes, axes) stay. */
const matchMoving: LayerMatcher = (op, { qg }) => {
  const dataInputs = SHIFT_INVARIANT_OPS[op.opType];
  const extraOutputUsed = op.outputs.slice(1).some((o) => o && (qg.readers(o).length > 0 || qg.isGraphOutput(o)));
  if (!dataInputs || extraOutputUsed) return undefined;
  const q = qg.soleReader(op.outputs[0]);
  const quant = q?.opType === 'QuantizeLinear' && qg.dtype(q.outputs[0]) === 'int8' ? qg.tensorQuant(q) : undefined;
  if (!q || !quant) return undefined;
  const indices = dataInputs === 'all' ? op.inputs.map((_, i) => i) : dataInputs;
  const inputs = [...op.inputs];
  for (const i of indices) {
    if (!op.inputs[i]) continue;
    const x = dequantizedActivation(qg, op.inputs[i]);
    if (!x || !sameQuant(x.quant, quant)) return undefined;
    inputs[i] = x.q;
  }
  const node: Node = { ...op, inputs, outputs: [q.outputs[0], ...op.outputs.slice(1)], attrs: { ...op.attrs } };
  return { node, replaced: [op, q] };
};

export const MOVING_LAYER_MATCHERS: Readonly<Record<string, LayerMatcher>> = Object.fromEntries(Object.keys(SHIFT_INVARIANT_OPS).filter((op) => op !== 'Split').map((op) => [op, matchMoving]));
