// Conv: N-d convolution with groups (depthwise included), pads or auto_pad, strides and dilations.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { FLOAT_TYPES, required, requireType, sameType } from './util/check.js';
import { convolve, convOutputShape } from './util/conv-kernel.js';
import { convGeometry, convMacs, readConvAttrs, type ConvAttrs } from './util/conv-geometry.js';
import { finishFloat16 } from './util/elementwise.js';

export const Conv = defineOp<ConvAttrs>({
  opType: 'Conv',
  domain: '',
  inputs: [2, 3],
  outputs: [1, 1],
  paramInputs: { 1: 'weight', 2: 'bias' },
  parseAttrs: readConvAttrs,
  infer(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const w = required(inputs, 1, node);
    const dtype = sameType(inputs, node);
    requireType(x, FLOAT_TYPES, node, 'input X');
    return [{ dtype, shape: convOutputShape(resolve(x.shape, w.shape, inputs[2]?.shape, attrs, node)) }];
  },
  evaluate(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const w = required(inputs, 1, node);
    const p = resolve(x.shape, w.shape, inputs[2]?.shape, attrs, node);
    const out = new Tensor(x.dtype, convOutputShape(p));
    const values = convolve({
      ...p,
      x: x.data as Float32Array,
      w: w.data as Float32Array,
      bias: inputs[2]?.data as Float32Array | undefined,
      round: x.dtype === 'float64' ? (v) => v : Math.fround,
    });
    (out.data as Float32Array).set(values);
    return [finishFloat16(out)];
  },
  macs: (inputs, outputs) => convMacs(inputs[1]!, outputs[0]),
});

/** Check shapes against attributes (and the bias) and work out the geometry. */
function resolve(xShape: number[], wShape: number[], bShape: number[] | undefined, attrs: ConvAttrs, node: Node) {
  const M = wShape[0];
  if (bShape && (bShape.length !== 1 || bShape[0] !== M)) throw nodeError(node, `bias B has shape ${bShape.join('x')}, expected ${M}`);
  return convGeometry(xShape, wShape, attrs, node);
}
