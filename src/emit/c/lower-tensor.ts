// C lowerings of data movement: reshapes as views, Concat as block copies, Pad, Transpose (float32; views, Concat and Transpose int8 too).

import { shapeSize } from '../../ir/tensor.js';
import type { InferInput } from '../../ops/op-def.js';
import { resolvePads, type PadAttrs } from '../../ops/pad.js';
import { permutation, type TransposeAttrs } from '../../ops/transpose.js';
import { normalizeAxis } from '../../ops/util/axes.js';
import { float, int, ints, symbol, value, weight, type CArg, type CCall } from './c-step.js';
import { unsupported, type LowerContext, type Lowering } from './lower.js';

/** The data-movement kernels' name suffix for the element type of a value: 4-byte words or bytes. */
function elementSuffix(ctx: LowerContext, name: string): 'f32' | 's8' {
  return ctx.type(name).dtype === 'int8' ? 's8' : 'f32';
}

/** Output 0 is input 0 with another shape: the memory planner gives both the same bytes. */
const view: Lowering = {
  dtypes: ['float32', 'int8'],
  lower(ctx) {
    if (ctx.node.outputs.slice(1).some((o) => o)) unsupported(`the second output of ${ctx.node.opType} has no C kernel`);
    const x = ctx.node.inputs[0];
    if (ctx.constant(x)) unsupported(`reshaping the constant '${x}' at run time (it should have been folded)`);
    return { nodes: [ctx.node.name], summary: `${ctx.node.opType} (a view, no code)`, inputs: [x], outputs: [ctx.output(0)], view: true, calls: [] };
  },
};

function source(ctx: LowerContext, name: string): CArg {
  const t = ctx.constant(name);
  return t ? weight(name, t) : value(name);
}

const concat: Lowering = {
  dtypes: ['float32', 'int8'],
  lower(ctx) {
    const out = ctx.output(0);
    const kernel = `ep_copy_blocks_${elementSuffix(ctx, out)}`;
    const outShape = ctx.type(out).shape;
    const axis = normalizeAxis((ctx.attrs as { axis: number }).axis, outShape.length, ctx.node);
    const outer = shapeSize(outShape.slice(0, axis));
    const inner = shapeSize(outShape.slice(axis + 1));
    const calls: CCall[] = [];
    let offset = 0;
    for (const name of ctx.node.inputs) {
      const len = ctx.type(name).shape[axis];
      if (len > 0) {
        const block = len * inner;
        const dst: CArg = value(out, offset * inner);
        calls.push({ kernel, args: [dst, int(outShape[axis] * inner), source(ctx, name), int(block), int(block), int(outer)] });
      }
      offset += len;
    }
    return { nodes: [ctx.node.name], summary: `Concat along axis ${axis}`, inputs: ctx.node.inputs.filter((n) => !ctx.constant(n)), outputs: [out], calls };
  },
};

const PAD_MODE_SYMBOLS: Record<string, string> = { constant: 'EP_PAD_CONSTANT', edge: 'EP_PAD_EDGE', reflect: 'EP_PAD_REFLECT', wrap: 'EP_PAD_WRAP' };

const pad: Lowering = {
  lower(ctx) {
    const x = ctx.node.inputs[0];
    const xs = ctx.type(x).shape;
    const infer: (InferInput | undefined)[] = ctx.node.inputs.map((n) => (n ? { ...ctx.type(n), value: ctx.constant(n) } : undefined));
    if (infer.slice(1).some((i) => i && !i.value)) unsupported('pads, value or axes computed at run time');
    const { begins, ends } = resolvePads(infer, ctx.node);
    if ([...begins, ...ends].some((p) => p < 0)) unsupported('negative pads (cropping)');
    if (xs.length > 6) unsupported(`rank ${xs.length}; the C kernel pads up to rank 6`);
    const valueName = ctx.node.inputs[2];
    const fill = valueName ? ctx.constant(valueName)!.at(0) : 0;
    const out = ctx.output(0);
    return {
      nodes: [ctx.node.name],
      summary: `Pad (${(ctx.attrs as PadAttrs).mode})`,
      inputs: [x],
      outputs: [out],
      calls: [{ kernel: 'ep_pad_f32', args: [value(x), value(out), int(xs.length), ints(xs), ints(begins), ints(ends), symbol(PAD_MODE_SYMBOLS[(ctx.attrs as PadAttrs).mode]), float(fill)] }],
    };
  },
};

const transpose: Lowering = {
  dtypes: ['float32', 'int8'],
  lower(ctx) {
    const x = ctx.node.inputs[0];
    const xs = ctx.type(x).shape;
    const perm = permutation(xs.length, ctx.attrs as TransposeAttrs, ctx.node);
    if (xs.length > 6) unsupported(`rank ${xs.length}; the C kernel transposes up to rank 6`);
    const out = ctx.output(0);
    return {
      nodes: [ctx.node.name],
      summary: `Transpose [${perm.join(', ')}]`,
      inputs: [x],
      outputs: [out],
      calls: [{ kernel: `ep_transpose_${elementSuffix(ctx, x)}`, args: [value(x), value(out), int(xs.length), ints(xs), ints(perm)] }],
    };
  },
};

export const TENSOR_LOWERINGS: Record<string, Lowering> = {
  Reshape: view,
  Flatten: view,
  Squeeze: view,
  Unsqueeze: view,
  Identity: view,
  Dropout: view,
  Concat: concat,
  Pad: pad,
  Transpose: transpose,
};
