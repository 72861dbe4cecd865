// ArgMax over the axis holding a whole int8 vector → one ep_argmax instance: one output beat, the index (unsigned, in
// as many bytes as the vector's length needs), ties to the first index or, with select_last_index, to the last.

import type { ArgMaxAttrs } from '../../ops/arg-max.js';
import { normalizeAxis } from '../../ops/util/axes.js';
import type { RtlLowering } from './rtl-layer.js';

/** Bytes of an index below n (at least one). */
export function indexBytes(n: number): number {
  return Math.max(1, Math.ceil(Math.ceil(Math.log2(Math.max(n, 2))) / 8));
}

export const ARGMAX: RtlLowering = {
  ops: [{ domain: '', opType: 'ArgMax' }],
  supports: 'ArgMax over the axis holding the whole vector (ep_argmax)',
  refuse(ctx) {
    if (ctx.input.kind !== 'vector') return `its input arrives as ${ctx.input.kind}; ep_argmax takes the whole vector in one beat`;
    if (ctx.input.order) return 'its input arrives in pixel-major order (a Flatten of pixels); ep_argmax would index that order, not the model\'s';
    const x = ctx.type(ctx.node.inputs[0]);
    if (x.dtype !== 'int8') return `its input is ${x.dtype}; the RTL compares int8 values`;
    const axis = normalizeAxis((ctx.attrs as ArgMaxAttrs).axis, x.shape.length, ctx.node);
    if (x.shape.some((d, i) => i !== axis && d !== 1)) return `axis ${axis} of shape ${x.shape.join('x')} does not hold the whole vector; the RTL finds one index per vector`;
    return undefined;
  },
  lower(ctx) {
    const { node } = ctx;
    const { selectLastIndex } = ctx.attrs as ArgMaxAttrs;
    const n = ctx.input.kind === 'vector' ? ctx.input.elements : 0;
    const bytes = indexBytes(n);
    return {
      kind: 'argmax',
      node: node.name,
      op: node.opType,
      input: node.inputs[0],
      output: node.outputs[0],
      inFormat: ctx.input,
      outFormat: { kind: 'index', bytes },
      hardware: {
        module: 'ep_argmax',
        libraryFiles: ['ep_argmax.v'],
        params: [
          { name: 'N', value: String(n) },
          { name: 'IDX_BYTES', value: String(bytes) },
          { name: 'SELECT_LAST', value: selectLastIndex ? '1' : '0' },
        ],
        latencyCycles: 1,
        multipliers: { weights: 0, requantizers: 0 },
      },
    };
  },
};
