// MaxPool: largest value of each sliding window (padding never wins), optionally with its flat input index.

import type { DType, NumberArray } from '../ir/dtype.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { required, requireType } from './util/check.js';
import { poolOutputShape, poolPlan, poolWork, readPoolWindow, type PoolPlan, type PoolWindowAttrs } from './util/nn-pool.js';

export interface MaxPoolAttrs extends PoolWindowAttrs {
  /** Indices output counts in column-major order over the spatial axes. */
  columnMajorIndices: boolean;
}

const MAX_POOL_TYPES: readonly DType[] = ['float32', 'float16', 'float64', 'int8', 'uint8'];

export const MaxPool = defineOp<MaxPoolAttrs>({
  opType: 'MaxPool',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 2],
  parseAttrs: (a) => ({
    ...readPoolWindow(a),
    columnMajorIndices: a.intOf('storage_order', 0, [0, 1]) === 1,
  }),
  infer(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    requireType(x, MAX_POOL_TYPES, node, 'input X');
    const shape = poolOutputShape(x.shape, attrs, node);
    return [
      { dtype: x.dtype, shape },
      { dtype: 'int64', shape },
    ];
  },
  evaluationWork: poolWork,
  evaluate(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const plan = poolPlan(x.shape, attrs, node);
    const y = new Tensor(x.dtype, plan.outShape);
    const wantIndices = Boolean(node.outputs[1]);
    const indices = wantIndices ? new Tensor('int64', plan.outShape) : undefined;
    poolMax(x.data as NumberArray, y.data as NumberArray, plan, indices && (indices.data as BigInt64Array), attrs.columnMajorIndices);
    return indices ? [y, indices] : [y];
  },
});

/** Max of each window into y; with `indices`, the flat index (over N, C and spatial) of the first maximum. */
function poolMax(
  x: NumberArray,
  y: NumberArray,
  plan: PoolPlan,
  indices: BigInt64Array | undefined,
  columnMajor: boolean,
): void {
  const { taps, tapStart, inPlane, outPlane } = plan;
  const planes = plan.outShape[0] * plan.outShape[1];
  const toIndex = columnMajor ? columnMajorIndex(plan.inSpatial) : (offset: number) => offset;
  for (let c = 0; c < planes; c++) {
    const xBase = c * inPlane;
    for (let pos = 0; pos < outPlane; pos++) {
      let best = NaN;
      let bestTap = -1;
      for (let t = tapStart[pos]; t < tapStart[pos + 1]; t++) {
        const v = x[xBase + taps[t]];
        // Strictly greater keeps the first maximum; NaN loses to any number.
        if (bestTap < 0 || v > best || (best !== best && v === v)) {
          best = v;
          bestTap = taps[t];
        }
      }
      y[c * outPlane + pos] = best;
      if (indices) indices[c * outPlane + pos] = BigInt(xBase + toIndex(bestTap));
    }
  }
}

/** Map a row-major offset within a spatial plane to the column-major one (storage_order = 1). */
function columnMajorIndex(inSpatial: readonly number[]): (offset: number) => number {
  const S = inSpatial.length;
  return (offset) => {
    const coords = new Array<number>(S);
    let rem = offset;
    for (let d = S - 1; d >= 0; d--) {
      coords[d] = rem % inSpatial[d];
      rem = Math.floor(rem / inSpatial[d]);
    }
    // Column-major: the stride of axis d is the product of the sizes before it.
    let index = 0;
    let stride = 1;
    for (let d = 0; d < S; d++) {
      index += coords[d] * stride;
      stride *= inSpatial[d];
    }
    return index;
  };
}
