// Flatten and Reshape of a vector stream (whole or one element per beat): the elements keep their row-major order, so the stream passes unchanged and
// no hardware is built (a Flatten of pixels needs a collector: another lowering's job).

import { shapeSize } from '../../ir/tensor.js';
import type { RtlLowering } from './rtl-layer.js';

export const VECTOR_VIEW: RtlLowering = {
  ops: [{ domain: '', opType: 'Flatten' }, { domain: '', opType: 'Reshape' }],
  supports: 'Flatten and Reshape of a vector, whole or one element per beat (no hardware)',
  refuse(ctx) {
    if (ctx.input.kind !== 'vector' && ctx.input.kind !== 'elements') return `its input arrives as ${ctx.input.kind}, not as a vector`;
    return undefined;
  },
  lower(ctx) {
    const { node, input } = ctx;
    if (input.kind !== 'vector' && input.kind !== 'elements') throw new Error('a vector view takes a vector');
    const out = ctx.type(node.outputs[0]);
    return {
      kind: 'vector-view',
      node: node.name,
      op: node.opType,
      input: node.inputs[0],
      output: node.outputs[0],
      inFormat: ctx.input,
      // A reshape keeps the row-major element order, so a permuted vector stays permuted the same way.
      outFormat: { kind: input.kind, elements: shapeSize(out.shape), ...(input.order ? { order: input.order } : {}) },
    };
  },
};
