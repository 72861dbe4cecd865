// ConvInteger: Conv of 8-bit integers minus their zero points (w per output channel), accumulated exactly into int32.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp, type ValueType } from './op-def.js';
import { required, requireType } from './util/check.js';
import { convOutputShape } from './util/conv-kernel.js';
import { convGeometry, convMacs, readConvAttrs, type ConvAttrs } from './util/conv-geometry.js';
import { checkChannelParam, checkScalarParam, integerConvolve } from './util/quant-conv.js';
import { wrapInt32 } from './util/quant-round.js';
import { INT8_TYPES } from './util/quant-types.js';

export const ConvInteger = defineOp<ConvAttrs>({
  opType: 'ConvInteger',
  domain: '',
  inputs: [2, 4],
  outputs: [1, 1],
  paramInputs: { 1: 'weight' },
  parseAttrs: readConvAttrs,
  infer(inputs, attrs, node) {
    check(inputs, node);
    const x = required(inputs, 0, node);
    const w = required(inputs, 1, node);
    return [{ dtype: 'int32', shape: convOutputShape(convGeometry(x.shape, w.shape, attrs, node)) }];
  },
  evaluate(inputs, attrs, node) {
    check(inputs, node);
    const [x, w, xZero, wZero] = inputs;
    const { shape, acc } = integerConvolve(x!, w!, xZero, wZero, undefined, attrs, node);
    const out = new Tensor('int32', shape);
    const y = out.data as Int32Array;
    for (let i = 0; i < y.length; i++) y[i] = wrapInt32(acc[i]);
    return [out];
  },
  macs: (inputs, outputs) => convMacs(inputs[1]!, outputs[0]),
});

function check(inputs: readonly (ValueType | undefined)[], node: Node): void {
  const x = required(inputs, 0, node);
  const w = required(inputs, 1, node);
  const [, , xZero, wZero] = inputs;
  requireType(x, INT8_TYPES, node, 'input x');
  requireType(w, INT8_TYPES, node, 'weight w');
  if (xZero && xZero.dtype !== x.dtype) throw nodeError(node, `x_zero_point has type ${xZero.dtype}, but x has ${x.dtype}`);
  if (wZero && wZero.dtype !== w.dtype) throw nodeError(node, `w_zero_point has type ${wZero.dtype}, but w has ${w.dtype}`);
  checkScalarParam(xZero, node, 'x_zero_point');
  checkChannelParam(wZero, w.shape[0], node, 'w_zero_point');
}
