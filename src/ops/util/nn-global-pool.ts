// Global pooling over all spatial axes (GlobalAveragePool, GlobalMaxPool): one value per (N, C) plane.

import { nodeError } from '../../errors.js';
import type { NumberArray } from '../../ir/dtype.js';
import type { Node } from '../../ir/graph.js';
import { Tensor, shapeSize } from '../../ir/tensor.js';
import { defineOp, type OpDef } from '../op-def.js';
import { FLOAT_TYPES, required, requireType } from './check.js';
import { finishFloat16 } from './elementwise.js';

/** N, C followed by a 1 for every spatial axis. */
function globalPoolShape(shape: readonly number[]): number[] {
  return shape.map((d, i) => (i < 2 ? d : 1));
}

/**
 * A global pooling op: `reduce` folds one plane of `size` values starting at `offset`, rounding
 * with `round` (Math.fround for float32 and float16, identity for float64).
 */
export function globalPoolOp(
  opType: string,
  reduce: (x: NumberArray, offset: number, size: number, round: (v: number) => number) => number,
): OpDef<Record<string, never>> {
  const check = (x: { dtype: Tensor['dtype']; shape: number[] }, node: Node) => {
    requireType(x, FLOAT_TYPES, node, 'input X');
    if (x.shape.length < 2) throw nodeError(node, `input X has shape ${x.shape.join('x') || 'scalar'}; expected N x C x spatial...`);
  };
  return defineOp<Record<string, never>>({
    opType,
    domain: '',
    inputs: [1, 1],
    outputs: [1, 1],
    parseAttrs: () => ({}),
    infer(inputs, _attrs, node) {
      const x = required(inputs, 0, node);
      check(x, node);
      return [{ dtype: x.dtype, shape: globalPoolShape(x.shape) }];
    },
    evaluate(inputs, _attrs, node) {
      const x = required(inputs, 0, node);
      check(x, node);
      const out = new Tensor(x.dtype, globalPoolShape(x.shape));
      const plane = shapeSize(x.shape.slice(2));
      const round = x.dtype === 'float64' ? (v: number) => v : Math.fround;
      const src = x.data as NumberArray;
      const dst = out.data as NumberArray;
      for (let c = 0; c < dst.length; c++) dst[c] = reduce(src, c * plane, plane, round);
      return [finishFloat16(out)];
    },
  });
}
