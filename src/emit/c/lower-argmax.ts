// C lowering of ArgMax: ep_argmax_f32 or ep_argmax_s8 (templates/c/lib/ep_argmax.h) over [outer][len][inner], int64 indices.

import { argMaxExtents, type ArgMaxAttrs } from '../../ops/arg-max.js';
import { normalizeAxis } from '../../ops/util/axes.js';
import { int, value } from './c-step.js';
import { unsupported, type Lowering } from './lower.js';

/** The kernel of each input dtype (the output is always int64). */
const KERNELS: Readonly<Record<string, string>> = { float32: 'ep_argmax_f32', int8: 'ep_argmax_s8' };

export const ARGMAX_LOWERING: Lowering = {
  dtypes: ['float32', 'int8', 'int64'],
  lower(ctx) {
    const x = ctx.node.inputs[0];
    const { dtype, shape } = ctx.type(x);
    const kernel = KERNELS[dtype];
    if (!kernel) unsupported(`value '${x}' is ${dtype}; the C backend runs ArgMax on float32 or int8 values`);
    const attrs = ctx.attrs as ArgMaxAttrs;
    const axis = normalizeAxis(attrs.axis, shape.length, ctx.node);
    const out = ctx.output(0);
    const { outer, len, inner } = argMaxExtents(shape, axis);
    return {
      nodes: [ctx.node.name],
      summary: `ArgMax over axis ${axis}${attrs.selectLastIndex ? ' (last index on ties)' : ''}`,
      inputs: [x],
      outputs: [out],
      calls: [{
        kernel,
        args: [value(x), value(out), int(outer), int(len), int(inner), int(attrs.selectLastIndex ? 1 : 0)],
      }],
    };
  },
};
