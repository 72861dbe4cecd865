// Flatten and Reshape of a vector stream: the elements keep their row-major order, so the stream passes unchanged and
// no hardware is built (a Flatten of pixels needs a collector: another lowering's job).

import { shapeSize } from '../../ir/tensor.js';
import type { RtlLowering } from './rtl-layer.js';

export const VECTOR_VIEW: RtlLowering = {
  ops: [{ domain: '', opType: 'Flatten' }, { domain: '', opType: 'Reshape' }],
  supports: 'Flatten and Reshape of a vector (no hardware)',
  refuse(ctx) {
    if (ctx.input.kind !== 'vector') return `its input arrives as ${ctx.input.kind}, not as a vector in one beat`;
    return undefined;
  },
  lower(ctx) {
    const { node } = ctx;
    const out = ctx.type(node.outputs[0]);
    return {
      kind: 'vector-view',
      node: node.name,
      op: node.opType,
      input: node.inputs[0],
      output: node.outputs[0],
      inFormat: ctx.input,
      // A reshape keeps the row-major element order, so a permuted vector stays permuted the same way.
      outFormat: { kind: 'vector', elements: shapeSize(out.shape), ...(ctx.input.kind === 'vector' && ctx.input.order ? { order: ctx.input.order } : {}) },
    };
  },
};
