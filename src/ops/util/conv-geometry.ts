// Conv attributes, shape checks and window geometry, shared by Conv, ConvInteger and QLinearConv.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { shapeSize, shapeToString } from '../../ir/tensor.js';
import type { AttrReader } from '../attrs.js';
import type { ValueType } from '../op-def.js';
import { AUTO_PADS, windowDefaults, windowGeometry, type AutoPad } from './spatial.js';

export interface ConvAttrs {
  autoPad: AutoPad;
  dilations?: number[];
  group: number;
  kernelShape?: number[];
  pads?: number[];
  strides?: number[];
}

export function readConvAttrs(a: AttrReader): ConvAttrs {
  return {
    autoPad: a.stringOf('auto_pad', 'NOTSET', AUTO_PADS),
    dilations: a.ints('dilations'),
    group: a.int('group', 1),
    kernelShape: a.ints('kernel_shape'),
    pads: a.ints('pads'),
    strides: a.ints('strides'),
  };
}

/** Check input x and weight w against the attributes and work out the window geometry. */
export function convGeometry(xShape: number[], wShape: number[], attrs: ConvAttrs, node: Node) {
  if (xShape.length < 3) throw nodeError(node, `input X has shape ${shapeToString(xShape)}; it must be N x C x spatial...`);
  if (wShape.length !== xShape.length) throw nodeError(node, `weight W has rank ${wShape.length}, input X has rank ${xShape.length}`);
  const { group } = attrs;
  const C = xShape[1];
  const M = wShape[0];
  if (group < 1 || C % group !== 0 || M % group !== 0) throw nodeError(node, `group ${group} does not divide input channels ${C} and output channels ${M}`);
  if (wShape[1] !== C / group) throw nodeError(node, `weight W expects ${wShape[1] * group} input channels (group ${group}), input X has ${C}`);
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

/** Multiply-accumulates of a convolution: each output element takes C/group × kernel MACs. */
export function convMacs(w: ValueType, out: ValueType): number {
  return (shapeSize(out.shape) / w.shape[0]) * shapeSize(w.shape);
}
