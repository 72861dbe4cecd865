// QuantizeLinear: y = saturate(round_half_to_even(x / y_scale) + y_zero_point), per-tensor, per-axis or blocked.

import { nodeError } from '../errors.js';
import type { DType } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { CANONICAL_OPSET, defineOp, type InferInput, type ValueType } from './op-def.js';
import { required, requireType } from './util/check.js';
import { checkZeroPointShape, paramIndices, quantLayout } from './util/quant-params.js';
import { divisionPrecision, quantizeScaled, roundToFloatType } from './util/quant-round.js';
import { dtypeAttr, QUANTIZED_TYPES, SCALE_TYPES } from './util/quant-types.js';

export interface QuantizeLinearAttrs {
  axis: number;
  blockSize: number;
  /** output_dtype (opset 21+): the quantized type when there is no zero point. */
  outputDtype?: DType;
  /** precision (opset 23+): the type x / y_scale is computed in; only the default is supported. */
  precision?: DType;
}

const X_TYPES: readonly DType[] = ['float32', 'float16', 'int32'];

export const QuantizeLinear = defineOp<QuantizeLinearAttrs>({
  opType: 'QuantizeLinear',
  domain: '',
  inputs: [2, 3],
  outputs: [1, 1],
  minExportOpset: (node) => ('precision' in node.attrs ? 23 : CANONICAL_OPSET),
  parseAttrs: (a) => {
    // saturate only changes float8 outputs, which the IR does not hold.
    a.intOf('saturate', 1, [0, 1]);
    const blockSize = a.int('block_size', 0);
    if (blockSize < 0) a.fail('block_size', `is ${blockSize}; it must be 0 (not blocked) or positive`);
    return {
      axis: a.int('axis', 1),
      blockSize,
      outputDtype: dtypeAttr(a, 'output_dtype', QUANTIZED_TYPES),
      precision: dtypeAttr(a, 'precision', ['float32', 'float16', 'float64']),
    };
  },
  infer(inputs, attrs, node) {
    const { x } = check(inputs, attrs, node);
    return [{ dtype: outputType(inputs, attrs), shape: [...x.shape] }];
  },
  evaluate(inputs, attrs, node) {
    const { x, scale, layout } = check(inputs, attrs, node);
    const zero = inputs[2];
    const dtype = outputType(inputs, attrs);
    const index = paramIndices(x.shape, layout);
    const divide = roundToFloatType(divisionPrecision(x.dtype, scale.dtype));
    const xs = x.data as ArrayLike<number>;
    const scales = scale.data as ArrayLike<number>;
    const zeros = zero?.data as ArrayLike<number> | undefined;
    const out = new Tensor(dtype, x.shape);
    const y = out.data as Int8Array | Uint8Array | Int16Array | Uint16Array;
    for (let i = 0; i < y.length; i++) {
      const p = index[i];
      y[i] = quantizeScaled(dtype, divide(xs[i] / scales[p]), zeros ? zeros[p] : 0);
    }
    return [out];
  },
});

function outputType(inputs: readonly (ValueType | undefined)[], attrs: QuantizeLinearAttrs): DType {
  return inputs[2]?.dtype ?? attrs.outputDtype ?? 'uint8';
}

/** Check x, y_scale and y_zero_point and the attributes that depend on them; returns the scale layout. */
function check<T extends InferInput | Tensor>(inputs: readonly (T | undefined)[], attrs: QuantizeLinearAttrs, node: Node) {
  const x = required(inputs, 0, node);
  const scale = required(inputs, 1, node);
  const zero = inputs[2];
  requireType(x, X_TYPES, node, 'input x');
  requireType(scale, SCALE_TYPES, node, 'y_scale');
  const layout = quantLayout(x.shape, scale.shape, attrs.axis, attrs.blockSize, node, 'y_scale');
  if (zero) {
    requireType(zero, QUANTIZED_TYPES, node, 'y_zero_point');
    if (attrs.outputDtype && attrs.outputDtype !== zero.dtype) {
      throw nodeError(node, `output_dtype ${attrs.outputDtype} disagrees with y_zero_point's type ${zero.dtype}`);
    }
    checkZeroPointShape(scale.shape, zero.shape, node, 'y_zero_point');
  }
  const working = divisionPrecision(x.dtype, scale.dtype);
  if (attrs.precision && attrs.precision !== working) {
    throw nodeError(
      node,
      `attribute 'precision' asks for the division in ${attrs.precision}; edgeprune divides ${x.dtype} by a ${scale.dtype} scale in ${working} only`,
    );
  }
  return { x, scale, layout };
}
