// C lowering of Int8Add (ai.edgeprune): ep_add_s8 (templates/c/lib/ep_int8_add.h) with the constants of addMultipliers.
//
// The rescaling multipliers and shifts, zero points and clamp are literal arguments; broadcasting takes ep_binary_f32's
// strided form (output shape and each input's strides, adjacent axes merged).

import { sameShape } from '../../ir/tensor.js';
import { A, A_SCALE, A_ZERO, B, B_SCALE, B_ZERO, Y_SCALE, Y_ZERO, type Int8AddAttrs } from '../../ops/int8-add.js';
import { addMultipliers } from '../../ops/util/int8-add-params.js';
import { int, ints, value, type CStep } from './c-step.js';
import { unsupported, type Lowering } from './lower.js';
import { constantInput, int8Value, zeroPoint } from './lower-int8-operands.js';
import { broadcastStrides, collapseAxes } from './weight-transforms.js';

/** Shifts ep_add_s8 rescales its inputs with (addMultipliers' real multipliers in (0, 1/2] give 31 to 62). */
const INPUT_SHIFTS = [30, 62] as const;

const int8Add: Lowering = {
  lower(ctx): CStep {
    const attrs = ctx.attrs as Int8AddAttrs;
    const a = int8Value(ctx, A, 'input a');
    const b = int8Value(ctx, B, 'input b');
    const out = ctx.output(0);
    const outShape = ctx.type(out).shape;
    const as = ctx.type(a).shape;
    const bs = ctx.type(b).shape;
    const merged = collapseAxes(outShape, [broadcastStrides(as, outShape), broadcastStrides(bs, outShape)]);
    // (one element: rank 1 rather than an empty shape array)
    const { shape, strides } = merged.shape.length ? merged : { shape: [1], strides: [[1], [1]] };
    if (shape.length > 6) unsupported(`broadcasting over ${shape.length} independent axes; the C kernel handles 6`);
    const m = addMultipliers(constantInput(ctx, A_SCALE, 'a_scale'), constantInput(ctx, B_SCALE, 'b_scale'), constantInput(ctx, Y_SCALE, 'y_scale'), ctx.node);
    for (const [what, s] of [['a', m.a.shift], ['b', m.b.shift]] as const) {
      if (s < INPUT_SHIFTS[0] || s > INPUT_SHIFTS[1]) unsupported(`input ${what}'s rescaling shift is ${s}; ep_add_s8 takes ${INPUT_SHIFTS[0]} to ${INPUT_SHIFTS[1]}`);
    }
    const inputs = a === b ? [a] : [a, b];
    // (the kernel reads each element's inputs before it writes the output element: y may be an unbroadcast input)
    const inPlace: { output: number; input: number }[] = [];
    if (sameShape(as, outShape)) inPlace.push({ output: 0, input: 0 });
    if (b !== a && sameShape(bs, outShape)) inPlace.push({ output: 0, input: 1 });
    return {
      nodes: [ctx.node.name],
      summary: `Int8Add ${as.join('x') || 'scalar'} ${bs.join('x') || 'scalar'}`,
      inputs,
      outputs: [out],
      inPlace,
      calls: [
        {
          kernel: 'ep_add_s8',
          args: [
            value(a), value(b), value(out), int(shape.length), ints(shape), ints(strides[0]), ints(strides[1]),
            int(m.a.multiplier), int(m.a.shift), int(zeroPoint(ctx, A_ZERO, 'a_zero_point')),
            int(m.b.multiplier), int(m.b.shift), int(zeroPoint(ctx, B_ZERO, 'b_zero_point')),
            int(m.y.multiplier), int(m.y.shift), int(zeroPoint(ctx, Y_ZERO, 'y_zero_point')),
            int(attrs.actMin), int(attrs.actMax),
          ],
          requantShifts: [m.y.shift],
        },
      ],
    };
  },
};

/** The elementwise int8 ops of ai.edgeprune, by op type. */
export const INT8_ELEMENTWISE_LOWERINGS: Record<string, Lowering> = { Int8Add: int8Add };
