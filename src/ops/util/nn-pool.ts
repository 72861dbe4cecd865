// Sliding-window pooling (MaxPool, AveragePool): attributes, output shape and the input taps of every window.

import { nodeError } from '../../errors.js';
import type { Node } from '../../ir/graph.js';
import { countText, limits } from '../../ir/limits.js';
import { shapeSize, stridesOf } from '../../ir/tensor.js';
import type { AttrReader } from '../attrs.js';
import type { ValueType } from '../op-def.js';
import { AUTO_PADS, windowDefaults, windowGeometry, type AutoPad, type WindowAttrs, type WindowGeometry } from './spatial.js';

export interface PoolWindowAttrs {
  autoPad: AutoPad;
  ceilMode: boolean;
  dilations?: number[];
  kernelShape: number[];
  pads?: number[];
  strides?: number[];
}

/** Read the window attributes MaxPool and AveragePool share. */
export function readPoolWindow(a: AttrReader): PoolWindowAttrs {
  const kernelShape = a.ints('kernel_shape');
  if (!kernelShape) a.fail('kernel_shape', 'is required');
  return {
    autoPad: a.stringOf('auto_pad', 'NOTSET', AUTO_PADS),
    ceilMode: a.intOf('ceil_mode', 0, [0, 1]) === 1,
    dilations: a.ints('dilations'),
    kernelShape,
    pads: a.ints('pads'),
    strides: a.ints('strides'),
  };
}

/** Which input elements every pooling window reads. */
export interface PoolPlan {
  /** N, C, output spatial... */
  outShape: number[];
  inSpatial: number[];
  inPlane: number;
  outPlane: number;
  /** Offsets within an input plane of the taps inside the input, row-major, for output position p: taps[tapStart[p]..tapStart[p+1]). */
  taps: Int32Array;
  tapStart: Int32Array;
  /**
   * Taps per window counting padding (explicit or auto) but not the part of a ceil_mode window that
   * hangs past the end padding: the divisor of AveragePool with count_include_pad.
   */
  paddedCount: Int32Array;
}

export function resolveWindow(xShape: readonly number[], attrs: PoolWindowAttrs, node: Node): { win: WindowAttrs; geometry: WindowGeometry } {
  if (xShape.length < 3) {
    throw nodeError(node, `input X has shape ${xShape.join('x') || 'scalar'}; pooling needs N x C x spatial... (rank 3 or more)`);
  }
  const inSpatial = xShape.slice(2);
  // ceil_mode only applies to explicit padding: with auto_pad, ONNX's output sizes do not depend on it.
  const win = windowDefaults(node, inSpatial.length, {
    kernel: attrs.kernelShape,
    strides: attrs.strides,
    dilations: attrs.dilations,
    pads: attrs.pads,
    autoPad: attrs.autoPad,
    ceilMode: attrs.autoPad === 'NOTSET' && attrs.ceilMode,
  });
  return { win, geometry: windowGeometry(inSpatial, win, node) };
}

/** Output shape N, C, spatial... of a pooling node. */
export function poolOutputShape(xShape: readonly number[], attrs: PoolWindowAttrs, node: Node): number[] {
  return [xShape[0], xShape[1], ...resolveWindow(xShape, attrs, node).geometry.outSpatial];
}

/** Per axis and output index: the input coordinates the window reads and its size counting padding. */
function axisTaps(n: number, outSize: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number) {
  const coords: number[][] = [];
  const padded: number[] = [];
  for (let o = 0; o < outSize; o++) {
    const inside: number[] = [];
    let withPad = 0;
    for (let j = 0; j < kernel; j++) {
      const p = o * stride - padBegin + j * dilation;
      if (p >= 0 && p < n) inside.push(p);
      if (p >= -padBegin && p < n + padEnd) withPad++;
    }
    coords.push(inside);
    padded.push(withPad);
  }
  return { coords, padded };
}

/** Input taps all windows of one plane read, at most: each window reads at most its kernel, and at most the input plane. */
function planeTaps(inSpatial: readonly number[], outSpatial: readonly number[], kernel: readonly number[]): number {
  return shapeSize(outSpatial) * Math.min(shapeSize(kernel), shapeSize(inSpatial));
}

/** The work of a pool's evaluation beyond one visit per element: every window tap of every plane. */
export function poolWork(inputs: readonly (ValueType | undefined)[], outputs: readonly ValueType[], attrs: PoolWindowAttrs): number {
  const x = inputs[0];
  const y = outputs[0];
  if (!x || !y || x.shape.length < 3) return 0;
  return y.shape[0] * y.shape[1] * planeTaps(x.shape.slice(2), y.shape.slice(2), attrs.kernelShape);
}

export function poolPlan(xShape: readonly number[], attrs: PoolWindowAttrs, node: Node): PoolPlan {
  const { win, geometry } = resolveWindow(xShape, attrs, node);
  const inSpatial = xShape.slice(2);
  const { outSpatial, padBegin, padEnd } = geometry;
  const S = inSpatial.length;
  // The plan lists every tap of every window of a plane: bounded like a tensor before it is built.
  const taps = planeTaps(inSpatial, outSpatial, win.kernel);
  if (taps > limits().maxTensorElements) {
    throw nodeError(node, `its windows read ${countText(taps)} input taps per plane, more than the limit of ${countText(limits().maxTensorElements)}`, 'the model is corrupt, or far larger than any microcontroller model');
  }
  const axes = inSpatial.map((n, d) => axisTaps(n, outSpatial[d], win.kernel[d], win.strides[d], win.dilations[d], padBegin[d], padEnd[d]));
  axes.forEach((axis, d) => {
    const empty = axis.coords.findIndex((c) => c.length === 0);
    if (empty >= 0) {
      throw nodeError(node, `pooling window ${empty} along spatial axis ${d} covers only padding (input ${inSpatial.join('x')}, kernel ${win.kernel.join('x')}, pads ${[...padBegin, ...padEnd].join(',')}, dilations ${win.dilations.join('x')}); every window must read the input`);
    }
  });
  const outPlane = shapeSize(outSpatial);
  const inStrides = stridesOf(inSpatial);
  const tapStart = new Int32Array(outPlane + 1);
  const paddedCount = new Int32Array(outPlane);
  const tapList: number[] = [];
  const o = new Array<number>(S).fill(0);
  for (let pos = 0; pos < outPlane; pos++) {
    tapStart[pos] = tapList.length;
    let count = 1;
    for (let d = 0; d < S; d++) count *= axes[d].padded[o[d]];
    paddedCount[pos] = count;
    // Cartesian product of the per-axis coordinates, first axis outermost (row-major order).
    const lists = o.map((od, d) => axes[d].coords[od]);
    const pick = new Array<number>(S).fill(0);
    for (;;) {
      let offset = 0;
      for (let d = 0; d < S; d++) offset += lists[d][pick[d]] * inStrides[d];
      tapList.push(offset);
      let d = S - 1;
      while (d >= 0 && ++pick[d] === lists[d].length) pick[d--] = 0;
      if (d < 0) break;
    }
    for (let d = S - 1; d >= 0 && ++o[d] === outSpatial[d]; d--) o[d] = 0;
  }
  tapStart[outPlane] = tapList.length;
  return {
    outShape: [xShape[0], xShape[1], ...outSpatial],
    inSpatial,
    inPlane: shapeSize(inSpatial),
    outPlane,
    taps: Int32Array.from(tapList),
    tapStart,
    paddedCount,
  };
}
