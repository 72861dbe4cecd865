// DequantizeLinear: y = (x - x_zero_point) * x_scale, per-tensor, per-axis or blocked; kept unfolded as the quantized weight's meaning.

import { nodeError } from '../errors.js';
import type { DType } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { CANONICAL_OPSET, defineOp, type InferInput } from './op-def.js';
import { required, requireType } from './util/check.js';
import { checkZeroPointShape, paramIndices, quantLayout } from './util/quant-params.js';
import { dequantizeValue, roundToFloatType } from './util/quant-round.js';
import { DEQUANTIZE_INPUT_TYPES, dtypeAttr, SCALE_TYPES } from './util/quant-types.js';

export interface DequantizeLinearAttrs {
  axis: number;
  blockSize: number;
  /** output_dtype (opset 23+): the output type when it is not the scale's. */
  outputDtype?: DType;
}

export const DequantizeLinear = defineOp<DequantizeLinearAttrs>({
  opType: 'DequantizeLinear',
  domain: '',
  inputs: [2, 3],
  outputs: [1, 1],
  minExportOpset: (node) => ('output_dtype' in node.attrs ? 23 : CANONICAL_OPSET),
  keepUnfolded: true,
  parseAttrs: (a) => {
    const blockSize = a.int('block_size', 0);
    if (blockSize < 0) a.fail('block_size', `is ${blockSize}; it must be 0 (not blocked) or positive`);
    return { axis: a.int('axis', 1), blockSize, outputDtype: dtypeAttr(a, 'output_dtype', SCALE_TYPES) };
  },
  infer(inputs, attrs, node) {
    const { x, scale } = check(inputs, attrs, node);
    return [{ dtype: attrs.outputDtype ?? scale.dtype, shape: [...x.shape] }];
  },
  evaluate(inputs, attrs, node) {
    const { x, scale, layout } = check(inputs, attrs, node);
    const index = paramIndices(x.shape, layout);
    const dtype = attrs.outputDtype ?? scale.dtype;
    const finish = roundToFloatType(dtype);
    const xs = x.data as ArrayLike<number>;
    const scales = scale.data as ArrayLike<number>;
    const zeros = inputs[2]?.data as ArrayLike<number> | undefined;
    const out = new Tensor(dtype, x.shape);
    const y = out.data as Float32Array;
    for (let i = 0; i < y.length; i++) {
      const p = index[i];
      y[i] = finish(dequantizeValue(xs[i], zeros ? zeros[p] : 0, scales[p]));
    }
    return [out];
  },
});

/** Types and shapes of x, x_scale and x_zero_point; returns the scale layout. */
function check<T extends InferInput | Tensor>(inputs: readonly (T | undefined)[], attrs: DequantizeLinearAttrs, node: Node) {
  const x = required(inputs, 0, node);
  const scale = required(inputs, 1, node);
  const zero = inputs[2];
  requireType(x, DEQUANTIZE_INPUT_TYPES, node, 'input x');
  requireType(scale, SCALE_TYPES, node, 'x_scale');
  const layout = quantLayout(x.shape, scale.shape, attrs.axis, attrs.blockSize, node, 'x_scale');
  if (zero) {
    if (zero.dtype !== x.dtype) throw nodeError(node, `x_zero_point has type ${zero.dtype}, but it must have x's type ${x.dtype}`);
    checkZeroPointShape(scale.shape, zero.shape, node, 'x_zero_point');
  }
  return { x, scale, layout };
}
