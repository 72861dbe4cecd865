// Shared by ConvInteger and QLinearConv: Conv attributes, shape checks, and the exact integer accumulation.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { shapeSize, shapeToString, type Tensor } from '../../ir/tensor.js';
import type { AttrReader } from '../attrs.js';
import type { ValueType } from '../op-def.js';
import { convolve, convOutputShape } from './conv-kernel.js';
import { AUTO_PADS, windowDefaults, windowGeometry, type AutoPad } from './spatial.js';

export interface IntegerConvAttrs {
  autoPad: AutoPad;
  dilations?: number[];
  group: number;
  kernelShape?: number[];
  pads?: number[];
  strides?: number[];
}

export function readIntegerConvAttrs(a: AttrReader): IntegerConvAttrs {
  return {
    autoPad: a.stringOf('auto_pad', 'NOTSET', AUTO_PADS),
    dilations: a.ints('dilations'),
    group: a.int('group', 1),
    kernelShape: a.ints('kernel_shape'),
    pads: a.ints('pads'),
    strides: a.ints('strides'),
  };
}

/** Check x and w against the attributes and work out the window geometry. */
export function integerConvGeometry(xShape: number[], wShape: number[], attrs: IntegerConvAttrs, node: Node) {
  if (xShape.length < 3) throw nodeError(node, `input x has shape ${shapeToString(xShape)}; it must be N x C x spatial...`);
  if (wShape.length !== xShape.length) throw nodeError(node, `weight w has rank ${wShape.length}, input x has rank ${xShape.length}`);
  const { group } = attrs;
  const C = xShape[1];
  const M = wShape[0];
  if (group < 1 || C % group !== 0 || M % group !== 0) throw nodeError(node, `group ${group} does not divide input channels ${C} and output channels ${M}`);
  if (wShape[1] !== C / group) throw nodeError(node, `weight w expects ${wShape[1] * group} input channels (group ${group}), input x has ${C}`);
  const kernel = wShape.slice(2);
  if (attrs.kernelShape && attrs.kernelShape.join() !== kernel.join()) {
    throw nodeError(node, `kernel_shape ${attrs.kernelShape.join('x')} disagrees with weight w ${kernel.join('x')}`);
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

/** A zero point of a per-tensor quantized value: one element. */
export function checkScalarParam(v: ValueType | undefined, node: Node, what: string): void {
  if (v && shapeSize(v.shape) !== 1) throw nodeError(node, `${what} has shape ${shapeToString(v.shape)}; it must have one element (per-tensor)`);
}

/** A per-output-channel parameter: one element, or a 1-D tensor of length M. */
export function checkChannelParam(v: ValueType | undefined, channels: number, node: Node, what: string): void {
  if (!v || shapeSize(v.shape) === 1) return;
  if (v.shape.length !== 1 || v.shape[0] !== channels) {
    throw nodeError(node, `${what} has shape ${shapeToString(v.shape)}; it must have one element or ${channels} (one per output channel)`);
  }
}

/** Exact integer convolution of (x - xZero) with (w - wZero[m]), bias added; output N, M, spatial. */
export function integerConvolve(
  x: Tensor,
  w: Tensor,
  xZero: Tensor | undefined,
  wZero: Tensor | undefined,
  bias: Tensor | undefined,
  attrs: IntegerConvAttrs,
  node: Node,
): { shape: number[]; acc: Float64Array } {
  const p = integerConvGeometry(x.shape, w.shape, attrs, node);
  const acc = convolve({
    ...p,
    x: x.data as ArrayLike<number>,
    w: w.data as ArrayLike<number>,
    bias: bias?.data as ArrayLike<number> | undefined,
    xZero: xZero ? xZero.at(0) : 0,
    wZero: wZero?.data as ArrayLike<number> | undefined,
    round: (v) => v,
  });
  return { shape: convOutputShape(p), acc };
}

/** Multiply-accumulates of a convolution: each output element takes C/group × kernel MACs. */
export function convMacs(w: ValueType, out: ValueType): number {
  return (shapeSize(out.shape) / w.shape[0]) * shapeSize(w.shape);
}
