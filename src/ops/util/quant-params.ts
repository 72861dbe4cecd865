// Scale and zero-point layouts of QuantizeLinear/DequantizeLinear: per-tensor, per-axis or blocked, checked and indexed.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { shapeSize, shapeToString, stridesOf } from '../../ir/tensor.js';
import { normalizeAxis } from './axes.js';

export type QuantLayout =
  | { kind: 'tensor' }
  | { kind: 'axis'; axis: number }
  | { kind: 'block'; axis: number; blockSize: number; scaleShape: number[] };

/**
 * The layout a scale of shape `scaleShape` gives for an input of shape `xShape`, as ONNX defines it:
 * one element is per-tensor; without block_size a 1-D scale of length xShape[axis] is per-axis; with
 * block_size the scale has the input's rank and shape, the blocked axis holding ceil(D / block_size).
 */
export function quantLayout(
  xShape: readonly number[],
  scaleShape: readonly number[],
  axisAttr: number,
  blockSize: number,
  node: Node,
  scaleName: string,
): QuantLayout {
  if (shapeSize(scaleShape) === 1) return { kind: 'tensor' };
  const rank = xShape.length;
  if (rank === 0) throw nodeError(node, `${scaleName} has shape ${shapeToString(scaleShape)} but the input is a scalar; only a one-element scale fits`);
  const axis = normalizeAxis(axisAttr, rank, node);
  if (blockSize <= 0) {
    if (scaleShape.length !== 1 || scaleShape[0] !== xShape[axis]) {
      throw nodeError(
        node,
        `${scaleName} has shape ${shapeToString(scaleShape)}; for input ${shapeToString(xShape)} it must be one element (per-tensor) ` +
          `or a 1-D tensor of length ${xShape[axis]} (per-axis along axis ${axis}), or set block_size for blocked quantization`,
      );
    }
    return { kind: 'axis', axis };
  }
  const expected = xShape.map((d, i) => (i === axis ? Math.ceil(d / blockSize) : d));
  if (scaleShape.length !== rank || scaleShape.some((d, i) => d !== expected[i])) {
    throw nodeError(
      node,
      `${scaleName} has shape ${shapeToString(scaleShape)}; blocked quantization of input ${shapeToString(xShape)} ` +
        `along axis ${axis} with block_size ${blockSize} needs shape ${shapeToString(expected)}`,
    );
  }
  return { kind: 'block', axis, blockSize, scaleShape: [...scaleShape] };
}

/** A zero point must have the scale's shape (any one-element shape goes with a one-element scale). */
export function checkZeroPointShape(scaleShape: readonly number[], zeroShape: readonly number[], node: Node, zeroName: string): void {
  const bothSingle = shapeSize(scaleShape) === 1 && shapeSize(zeroShape) === 1;
  const same = scaleShape.length === zeroShape.length && scaleShape.every((d, i) => d === zeroShape[i]);
  if (!bothSingle && !same) {
    throw nodeError(node, `${zeroName} has shape ${shapeToString(zeroShape)}, but it must have the scale's shape ${shapeToString(scaleShape)}`);
  }
}

/** For each input element (row-major), the index of its scale and zero point. */
export function paramIndices(xShape: readonly number[], layout: QuantLayout): Int32Array {
  const n = shapeSize(xShape);
  const out = new Int32Array(n);
  if (layout.kind === 'tensor') return out;
  const strides = stridesOf(xShape);
  const axis = layout.axis;
  if (layout.kind === 'axis') {
    const dim = xShape[axis];
    for (let i = 0; i < n; i++) out[i] = Math.floor(i / strides[axis]) % dim;
    return out;
  }
  const scaleStrides = stridesOf(layout.scaleShape);
  for (let i = 0; i < n; i++) {
    let index = 0;
    for (let d = 0; d < xShape.length; d++) {
      const coord = Math.floor(i / strides[d]) % xShape[d];
      index += (d === axis ? Math.floor(coord / layout.blockSize) : coord) * scaleStrides[d];
    }
    out[i] = index;
  }
  return out;
}
