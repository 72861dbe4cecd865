// Conv: N-d convolution with groups (depthwise included), pads or auto_pad, strides and dilations.

import { nodeError } from '../errors.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp } from './op-def.js';
import { FLOAT_TYPES, required, requireType, sameType } from './util/check.js';
import { convolve, convOutputShape } from './util/conv-kernel.js';
import { AUTO_PADS, windowDefaults, windowGeometry, type AutoPad } from './util/spatial.js';
import { finishFloat16 } from './util/elementwise.js';

export interface ConvAttrs {
  autoPad: AutoPad;
  dilations?: number[];
  group: number;
  kernelShape?: number[];
  pads?: number[];
  strides?: number[];
}

export const Conv = defineOp<ConvAttrs>({
  opType: 'Conv',
  domain: '',
  inputs: [2, 3],
  outputs: [1, 1],
  paramInputs: { 1: 'weight', 2: 'bias' },
  parseAttrs: (a) => ({
    autoPad: a.stringOf('auto_pad', 'NOTSET', AUTO_PADS),
    dilations: a.ints('dilations'),
    group: a.int('group', 1),
    kernelShape: a.ints('kernel_shape'),
    pads: a.ints('pads'),
    strides: a.ints('strides'),
  }),
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
  macs(inputs, outputs) {
    const w = inputs[1]!;
    const out = outputs[0];
    // Each output element takes C/group × kernel MACs: the weight tensor's size per output channel.
    return (out.shape.reduce((a, b) => a * b, 1) / w.shape[0]) * w.shape.reduce((a, b) => a * b, 1);
  },
});

/** Check shapes against attributes and work out the geometry. */
function resolve(xShape: number[], wShape: number[], bShape: number[] | undefined, attrs: ConvAttrs, node: Node) {
  if (xShape.length < 3) throw nodeError(node, `input X has rank ${xShape.length}; Conv needs N x C x spatial...`);
  if (wShape.length !== xShape.length) throw nodeError(node, `weight W has rank ${wShape.length}, input X has rank ${xShape.length}`);
  const group = attrs.group;
  const C = xShape[1];
  const M = wShape[0];
  if (group < 1 || C % group !== 0 || M % group !== 0) throw nodeError(node, `group ${group} does not divide input channels ${C} and output channels ${M}`);
  if (wShape[1] !== C / group) throw nodeError(node, `weight W expects ${wShape[1] * group} input channels (group ${group}), input X has ${C}`);
  if (bShape && (bShape.length !== 1 || bShape[0] !== M)) throw nodeError(node, `bias B has shape ${bShape.join('x')}, expected ${M}`);
  const kernel = wShape.slice(2);
  if (attrs.kernelShape && attrs.kernelShape.join() !== kernel.join()) {
    throw nodeError(node, `kernel_shape ${attrs.kernelShape.join('x')} disagrees with weight W ${kernel.join('x')}`);
  }
  const win = windowDefaults(node, kernel.length, { ...attrs, kernel });
  return {
    xShape,
    wShape,
    group,
    strides: win.strides,
    dilations: win.dilations,
    geometry: windowGeometry(xShape.slice(2), win, node),
  };
}
