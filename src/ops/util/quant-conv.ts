// Shared by ConvInteger and QLinearConv: quantization parameter checks and the exact integer accumulation.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { shapeSize, shapeToString, type Tensor } from '../../ir/tensor.js';
import type { ValueType } from '../op-def.js';
import { convolve, convOutputShape } from './conv-kernel.js';
import { convGeometry, type ConvAttrs } from './conv-geometry.js';

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
  attrs: ConvAttrs,
  node: Node,
): { shape: number[]; acc: Float64Array } {
  const p = convGeometry(x.shape, w.shape, attrs, node);
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
