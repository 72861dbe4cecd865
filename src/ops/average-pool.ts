// AveragePool: mean of each sliding window, dividing by the input taps or (count_include_pad) the padded window size.

import type { NumberArray } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { FLOAT_TYPES, required, requireType } from './util/check.js';
import { finishFloat16 } from './util/elementwise.js';
import { poolOutputShape, poolPlan, poolWork, readPoolWindow, type PoolWindowAttrs } from './util/nn-pool.js';

export interface AveragePoolAttrs extends PoolWindowAttrs {
  countIncludePad: boolean;
}

export const AveragePool = defineOp<AveragePoolAttrs>({
  opType: 'AveragePool',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 1],
  parseAttrs: (a) => ({
    ...readPoolWindow(a),
    countIncludePad: a.intOf('count_include_pad', 0, [0, 1]) === 1,
  }),
  infer(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    requireType(x, FLOAT_TYPES, node, 'input X');
    return [{ dtype: x.dtype, shape: poolOutputShape(x.shape, attrs, node) }];
  },
  evaluationWork: poolWork,
  evaluate(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const plan = poolPlan(x.shape, attrs, node);
    const out = new Tensor(x.dtype, plan.outShape);
    const src = x.data as NumberArray;
    const dst = out.data as NumberArray;
    const round = x.dtype === 'float64' ? (v: number) => v : Math.fround;
    const { taps, tapStart, inPlane, outPlane, paddedCount } = plan;
    const planes = plan.outShape[0] * plan.outShape[1];
    for (let c = 0; c < planes; c++) {
      const xBase = c * inPlane;
      for (let pos = 0; pos < outPlane; pos++) {
        // Sum in window order (row-major), rounding each step; padding adds zeros.
        let sum = 0;
        for (let t = tapStart[pos]; t < tapStart[pos + 1]; t++) sum = round(sum + src[xBase + taps[t]]);
        const count = attrs.countIncludePad ? paddedCount[pos] : tapStart[pos + 1] - tapStart[pos];
        dst[c * outPlane + pos] = round(sum / count);
      }
    }
    return [finishFloat16(out)];
  },
});
