// QLinearConv: quantized Conv (8-bit in and out, per-channel weights), exact int32 accumulation, then requantization.

import { nodeError } from '../errors.js';
import type { DType } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { shapeSize, Tensor } from '../ir/tensor.js';
import { defineOp, type ValueType } from './op-def.js';
import { required, requireType } from './util/check.js';
import { convOutputShape } from './util/conv-kernel.js';
import { convGeometry, convMacs, readConvAttrs, type ConvAttrs } from './util/conv-geometry.js';
import { checkChannelParam, checkScalarParam, integerConvolve } from './util/quant-conv.js';
import { requantize, requantMultiplier } from './util/quant-round.js';
import { INT8_TYPES } from './util/quant-types.js';

const X = 0, X_SCALE = 1, X_ZERO = 2, W = 3, W_SCALE = 4, W_ZERO = 5, Y_SCALE = 6, Y_ZERO = 7, BIAS = 8;

export const QLinearConv = defineOp<ConvAttrs>({
  opType: 'QLinearConv',
  domain: '',
  inputs: [8, 9],
  outputs: [1, 1],
  paramInputs: { [W]: 'weight', [BIAS]: 'bias' },
  parseAttrs: readConvAttrs,
  infer(inputs, attrs, node) {
    const dtype = check(inputs, node);
    const x = required(inputs, X, node);
    const w = required(inputs, W, node);
    return [{ dtype, shape: convOutputShape(convGeometry(x.shape, w.shape, attrs, node)) }];
  },
  evaluate(inputs, attrs, node) {
    const dtype = check(inputs, node);
    const { shape, acc } = integerConvolve(inputs[X]!, inputs[W]!, inputs[X_ZERO], inputs[W_ZERO], inputs[BIAS], attrs, node);
    const M = shape[1];
    const plane = shapeSize(shape.slice(2));
    const xScale = inputs[X_SCALE]!.at(0);
    const yScale = inputs[Y_SCALE]!.at(0);
    const wScale = inputs[W_SCALE]!;
    const multipliers = Array.from({ length: M }, (_, m) => requantMultiplier(xScale, wScale.at(wScale.size === 1 ? 0 : m), yScale, 'float32'));
    const yZero = inputs[Y_ZERO] ? inputs[Y_ZERO].at(0) : 0;
    const out = new Tensor(dtype, shape);
    const y = out.data as Int8Array | Uint8Array;
    for (let i = 0; i < y.length; i++) {
      const m = Math.floor(i / plane) % M;
      y[i] = requantize(dtype, acc[i], multipliers[m], yZero);
    }
    return [out];
  },
  macs: (inputs, outputs) => convMacs(inputs[W]!, outputs[0]),
});

/** Check types and parameter shapes; returns the output type (y_zero_point's, else x's). */
function check(inputs: readonly (ValueType | undefined)[], node: Node): DType {
  const x = required(inputs, X, node);
  const w = required(inputs, W, node);
  requireType(x, INT8_TYPES, node, 'input x');
  requireType(w, INT8_TYPES, node, 'weight w');
  const M = w.shape[0];
  for (const [i, name] of [[X_SCALE, 'x_scale'], [W_SCALE, 'w_scale'], [Y_SCALE, 'y_scale']] as const) {
    requireType(required(inputs, i, node), ['float32'], node, name);
  }
  const xZero = inputs[X_ZERO];
  const wZero = inputs[W_ZERO];
  const yZero = inputs[Y_ZERO];
  if (xZero && xZero.dtype !== x.dtype) throw nodeError(node, `x_zero_point has type ${xZero.dtype}, but x has ${x.dtype}`);
  if (wZero && wZero.dtype !== w.dtype) throw nodeError(node, `w_zero_point has type ${wZero.dtype}, but w has ${w.dtype}`);
  if (yZero) requireType(yZero, INT8_TYPES, node, 'y_zero_point');
  checkScalarParam(inputs[X_SCALE], node, 'x_scale');
  checkScalarParam(xZero, node, 'x_zero_point');
  checkChannelParam(inputs[W_SCALE], M, node, 'w_scale');
  checkChannelParam(wZero, M, node, 'w_zero_point');
  checkScalarParam(inputs[Y_SCALE], node, 'y_scale');
  checkScalarParam(yZero, node, 'y_zero_point');
  const bias = inputs[BIAS];
  if (bias) {
    requireType(bias, ['int32'], node, 'bias B');
    if (bias.shape.length !== 1 || bias.shape[0] !== M) throw nodeError(node, `bias B has shape ${bias.shape.join('x')}, expected ${M}`);
  }
  return yZero?.dtype ?? x.dtype;
}
