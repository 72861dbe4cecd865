// ConvTranspose: N-d transposed convolution with groups, strides, dilations, pads, output_padding and output_shape.

import type { NumberArray } from '../ir/dtype.js';
import { Tensor, shapeSize } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { FLOAT_TYPES, required, requireType, sameType } from './util/check.js';
import { finishFloat16 } from './util/elementwise.js';
import { convTransposeGeometry, type ConvTransposeAttrs } from './util/nn-conv-transpose-geometry.js';
import { convolveTransposed } from './util/nn-conv-transpose-kernel.js';
import { AUTO_PADS } from './util/spatial.js';

export const ConvTranspose = defineOp<ConvTransposeAttrs>({
  opType: 'ConvTranspose',
  domain: '',
  inputs: [2, 3],
  outputs: [1, 1],
  paramInputs: { 1: 'weight', 2: 'bias' },
  parseAttrs: (a) => ({
    autoPad: a.stringOf('auto_pad', 'NOTSET', AUTO_PADS),
    dilations: a.ints('dilations'),
    group: a.int('group', 1),
    kernelShape: a.ints('kernel_shape'),
    outputPadding: a.ints('output_padding'),
    outputShape: a.ints('output_shape'),
    pads: a.ints('pads'),
    strides: a.ints('strides'),
  }),
  infer(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const w = required(inputs, 1, node);
    const dtype = sameType(inputs, node);
    requireType(x, FLOAT_TYPES, node, 'input X');
    const g = convTransposeGeometry(x.shape, w.shape, inputs[2]?.shape, attrs, node);
    return [{ dtype, shape: [x.shape[0], g.outChannels, ...g.outSpatial] }];
  },
  evaluate(inputs, attrs, node) {
    const x = required(inputs, 0, node);
    const w = required(inputs, 1, node);
    const geometry = convTransposeGeometry(x.shape, w.shape, inputs[2]?.shape, attrs, node);
    const out = new Tensor(x.dtype, [x.shape[0], geometry.outChannels, ...geometry.outSpatial]);
    const values = convolveTransposed({
      x: x.data as NumberArray,
      xShape: x.shape,
      w: w.data as NumberArray,
      wShape: w.shape,
      bias: inputs[2]?.data as NumberArray | undefined,
      geometry,
      round: x.dtype === 'float64' ? (v) => v : Math.fround,
    });
    (out.data as NumberArray).set(values);
    return [finishFloat16(out)];
  },
  macs(inputs) {
    // Every input element meets every weight of its channel: M/group output channels × kernel size.
    const x = inputs[0]!;
    const w = inputs[1]!;
    return shapeSize(x.shape) * shapeSize(w.shape.slice(1));
  },
});
