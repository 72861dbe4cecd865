// C lowerings of Int8AveragePool and Int8GlobalAveragePool (ai.edgeprune): ep_avgpool2d_s8 and ep_global_avgpool_s8
// (templates/c/lib/ep_int8_pool.h) with the multipliers of averageMultiplier, one per window tap count that occurs.
//
// The sliding pool takes the float AveragePool lowering's geometry (the same argument list, then the int8 tail), as
// the int8 MaxPool does.

import { shapeSize, Tensor } from '../../ir/tensor.js';
import type { Int8AveragePoolAttrs } from '../../ops/int8-average-pool.js';
import type { Int8GlobalAveragePoolAttrs } from '../../ops/int8-global-average-pool.js';
import { averageMultiplier, averageMultipliers, X, X_SCALE, X_ZERO, Y_SCALE, Y_ZERO } from '../../ops/util/int8-average.js';
import { poolPlan } from '../../ops/util/nn-pool.js';
import { int, value, weight, type CArg, type CStep } from './c-step.js';
import { unsupported, type LowerContext, type Lowering } from './lower.js';
import { constantInput, int8Value, zeroPoint } from './lower-int8-operands.js';
import { NN_LOWERINGS } from './lower-nn.js';

/** x_zp, y_zp, act_min, act_max: the literal tail of both kernels. */
function tail(ctx: LowerContext, attrs: { actMin: number; actMax: number }): CArg[] {
  return [int(zeroPoint(ctx, X_ZERO, 'x_zero_point')), int(zeroPoint(ctx, Y_ZERO, 'y_zero_point')), int(attrs.actMin), int(attrs.actMax)];
}

/** The distinct tap counts of a pool's windows (inside the input, or counting padding: the averaging divisors). */
function windowCounts(ctx: LowerContext, attrs: Int8AveragePoolAttrs): Set<number> {
  const plan = poolPlan(ctx.type(ctx.node.inputs[X]).shape, attrs, ctx.node);
  const counts = new Set<number>();
  for (let p = 0; p < plan.outPlane; p++) counts.add(attrs.countIncludePad ? plan.paddedCount[p] : plan.tapStart[p + 1] - plan.tapStart[p]);
  return counts;
}

const int8AveragePool: Lowering = {
  lower(ctx): CStep {
    const attrs = ctx.attrs as Int8AveragePoolAttrs;
    int8Value(ctx, X, 'input x');
    const step = NN_LOWERINGS.AveragePool.lower(ctx);
    if (step.calls.length !== 1) unsupported(`the pool lowers to ${step.calls.length} calls; the int8 kernel takes one`);
    const counts = windowCounts(ctx, attrs);
    const lo = Math.min(...counts);
    const hi = Math.max(...counts);
    const multiplierOf = averageMultipliers(constantInput(ctx, X_SCALE, 'x_scale'), constantInput(ctx, Y_SCALE, 'y_scale'), ctx.node);
    // A multiplier per count from the smallest to the largest; the counts no window has are never read (0, shift 1).
    const table = Array.from({ length: hi - lo + 1 }, (_, i) => (counts.has(lo + i) ? multiplierOf(lo + i) : { multiplier: 0, shift: 1 }));
    const name = ctx.node.name;
    const mult = weight(`${name}:average_mult`, Tensor.fromNumbers('int32', [table.length], table.map((m) => m.multiplier)));
    const shift = weight(`${name}:average_shift`, Tensor.fromNumbers('int8', [table.length], table.map((m) => m.shift)));
    const call = step.calls[0];
    // Whole windows take ep__rq_apply (the others the exact rule): outside [33, 55] their shift makes the call dependent.
    const whole = shapeSize(attrs.kernelShape);
    const requantShifts = counts.has(whole) ? [multiplierOf(whole).shift] : [];
    return { ...step, summary: `Int8AveragePool ${step.summary.replace(/^AveragePool /, '')}`, calls: [{ kernel: 'ep_avgpool2d_s8', args: [...call.args, mult, shift, int(lo), ...tail(ctx, attrs)], requantShifts }] };
  },
};

const int8GlobalAveragePool: Lowering = {
  lower(ctx): CStep {
    const attrs = ctx.attrs as Int8GlobalAveragePoolAttrs;
    const x = int8Value(ctx, X, 'input x');
    const xs = ctx.type(x).shape;
    const plane = shapeSize(xs.slice(2));
    const m = averageMultiplier(constantInput(ctx, X_SCALE, 'x_scale'), constantInput(ctx, Y_SCALE, 'y_scale'), plane, ctx.node);
    const out = ctx.output(0);
    return {
      nodes: [ctx.node.name],
      summary: `Int8GlobalAveragePool ${plane} taps`,
      inputs: [x],
      outputs: [out],
      calls: [{ kernel: 'ep_global_avgpool_s8', args: [value(x), value(out), int(xs[0] * xs[1]), int(plane), int(m.multiplier), int(m.shift), ...tail(ctx, attrs)], requantShifts: [m.shift] }],
    };
  },
};

/** The int8 average pools of ai.edgeprune, by op type. */
export const INT8_POOL_LOWERINGS: Record<string, Lowering> = { Int8AveragePool: int8AveragePool, Int8GlobalAveragePool: int8GlobalAveragePool };
