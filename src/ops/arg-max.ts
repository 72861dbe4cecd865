// ArgMax: index (int64) of the largest value along one axis; ties go to the first index, or the last with select_last_index.

import { nodeError } from '../errors.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { normalizeAxis } from './util/axes.js';
import { NUMERIC_TYPES, required, requireType } from './util/check.js';

export interface ArgMaxAttrs {
  axis: number;
  keepdims: boolean;
  selectLastIndex: boolean;
}

/** Outer, reduced and inner extents of `shape` around `axis` (the layout every ArgMax kernel walks). */
export function argMaxExtents(shape: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  return { outer: shapeSize(shape.slice(0, axis)), len: shape[axis], inner: shapeSize(shape.slice(axis + 1)) };
}

/**
 * Whether `v` replaces the best value so far. NaN is larger than every number (numpy's argmax, which
 * the ONNX reference uses); equal values (and NaN against NaN) replace only when selecting the last index.
 */
export function argMaxBeats<T extends number | bigint>(v: T, best: T, selectLast: boolean): boolean {
  const vNaN = v !== v;
  const bestNaN = best !== best;
  if (bestNaN) return selectLast && vNaN;
  if (vNaN) return true;
  return selectLast ? v >= best : v > best;
}

function argMaxShape(shape: readonly number[], axis: number, keepdims: boolean): number[] {
  return keepdims ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
}

export const ArgMax = defineOp<ArgMaxAttrs>({
  opType: 'ArgMax',
  domain: '',
  inputs: [1, 1],
  outputs: [1, 1],
  parseAttrs: (a) => ({
    axis: a.int('axis', 0),
    keepdims: a.intOf('keepdims', 1, [0, 1]) === 1,
    selectLastIndex: a.intOf('select_last_index', 0, [0, 1]) === 1,
  }),
  infer(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    requireType(x, NUMERIC_TYPES, node, 'input data');
    const axis = normalizeAxis(attrs.axis, x.shape.length, node);
    if (x.shape[axis] === 0) throw nodeError(node, `axis ${attrs.axis} has length 0: the maximum of nothing has no index`);
    return [{ dtype: 'int64', shape: argMaxShape(x.shape, axis, attrs.keepdims) }];
  },
  evaluate(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const axis = normalizeAxis(attrs.axis, x.rank, node);
    const { outer, len, inner } = argMaxExtents(x.shape, axis);
    const out = new Tensor('int64', argMaxShape(x.shape, axis, attrs.keepdims));
    const src = x.data as ArrayLike<number | bigint>;
    const dst = out.data as BigInt64Array;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let best = src[base];
        let at = 0;
        for (let k = 1; k < len; k++) {
          const v = src[base + k * inner];
          if (argMaxBeats(v, best, attrs.selectLastIndex)) {
            best = v;
            at = k;
          }
        }
        dst[o * inner + i] = BigInt(at);
      }
    }
    return [out];
  },
});
