// The one place that knows NCHW (the IR, ONNX) versus NHWC (TF.js layers): activation permutations and weight layouts.
//
// A permutation `perm` describes how a TF.js tensor holds an IR value: TF.js dimension j is IR
// dimension perm[j]. The batch stays first (perm[0] = 0). The IR's NCHW held channels-last is
// CHANNELS_LAST(4) = [0, 2, 3, 1]; an IR value held as is has the identity permutation.
//
// Weights (IR → TF.js):
//   Conv (group 1)     W [O, I, kh, kw]        → Conv2D kernel [kh, kw, I, O]        (OIHW → HWIO)
//   Conv (depthwise)   W [C·m, 1, kh, kw]      → DepthwiseConv2D kernel [kh, kw, C, m]
//   Gemm transB=1      B [N, K]                → Dense kernel [K, N]; transB=0 and MatMul: as is
//   biases, BatchNormalization parameters: 1-D, unchanged.

import { shapeSize, stridesOf, Tensor } from '../ir/tensor.js';

export type Perm = readonly number[];

export const identityPerm = (rank: number): number[] => Array.from({ length: rank }, (_, i) => i);

/** NCHW (or N, C, spatial...) held channels-last: [0, 2, ..., rank-1, 1]. */
export function channelsLastPerm(rank: number): number[] {
  return rank < 3 ? identityPerm(rank) : [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

export function invertPerm(perm: Perm): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

export const samePerm = (a: Perm, b: Perm): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
export const isIdentity = (perm: Perm): boolean => perm.every((p, i) => p === i);

/** The TF.js shape of an IR shape held with `perm`. */
export const heldShape = (irShape: readonly number[], perm: Perm): number[] => perm.map((p) => irShape[p]);

/** The TF.js axis that holds IR axis `irAxis`. */
export const heldAxis = (perm: Perm, irAxis: number): number => perm.indexOf(irAxis);

/**
 * The Keras `Permute` dims (1-based, batch excluded) that turn a tensor held with `from` into one
 * held with `to`.
 */
export function permuteDims(from: Perm, to: Perm): number[] {
  const inv = invertPerm(from);
  return to.slice(1).map((irDim) => inv[irDim]);
}

/**
 * How the output of an IR Transpose (perm `p`: output dim i = input dim p[i]) is held when its
 * input, held with `q`, is passed through untouched: r[j] = p⁻¹[q[j]].
 */
export function transposedPerm(p: Perm, q: Perm): number[] {
  const pinv = invertPerm(p);
  return q.map((d) => pinv[d]);
}

/** Permute row-major data: output dimension i is input dimension perm[i]. */
export function permuteData(data: ArrayLike<number>, shape: readonly number[], perm: Perm): Float32Array {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const stepOf = perm.map((p) => inStrides[p]);
  const out = new Float32Array(shapeSize(shape));
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += stepOf[d];
      if (idx[d] < outShape[d]) break;
      src -= stepOf[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** How one IR initializer is stored in a TF.js weight. */
export type WeightLayout =
  | { kind: 'same' } // same data and shape
  | { kind: 'vector' } // a bias of N values, whatever its IR shape (N or 1 x N): 1-D in TF.js
  | { kind: 'conv' } // OIHW ↔ HWIO
  | { kind: 'depthwise'; channels: number } // [C·m, 1, kh, kw] ↔ [kh, kw, C, m]
  | { kind: 'transpose2d' } // [N, K] ↔ [K, N]
  | { kind: 'broadcast'; size: number }; // a 1-element bias spread over `size` outputs

/** IR data and shape → the TF.js weight's data and shape. */
export function weightToTf(layout: WeightLayout, data: ArrayLike<number>, shape: readonly number[]): { data: Float32Array; shape: number[] } {
  switch (layout.kind) {
    case 'same':
      return { data: Float32Array.from(data), shape: [...shape] };
    case 'vector':
      return { data: Float32Array.from(data), shape: [shapeSize(shape)] };
    case 'conv':
      return { data: permuteData(data, shape, [2, 3, 1, 0]), shape: [shape[2], shape[3], shape[1], shape[0]] };
    case 'depthwise': {
      const C = layout.channels;
      const m = shape[0] / C;
      return { data: permuteData(data, [C, m, shape[2], shape[3]], [2, 3, 0, 1]), shape: [shape[2], shape[3], C, m] };
    }
    case 'transpose2d':
      return { data: permuteData(data, shape, [1, 0]), shape: [shape[1], shape[0]] };
    case 'broadcast':
      return { data: new Float32Array(layout.size).fill(data[0]), shape: [layout.size] };
  }
}

/** TF.js weight data (with its TF.js shape) → the IR initializer's data in `irShape`. */
export function weightFromTf(layout: WeightLayout, data: ArrayLike<number>, tfShape: readonly number[], irShape: readonly number[]): Tensor {
  switch (layout.kind) {
    case 'same':
    case 'vector':
      return new Tensor('float32', irShape, Float32Array.from(data));
    case 'conv':
      return new Tensor('float32', irShape, permuteData(data, tfShape, [3, 2, 0, 1]));
    case 'depthwise':
      // [kh, kw, C, m] → [C, m, kh, kw], which is [C·m, 1, kh, kw] row-major.
      return new Tensor('float32', irShape, permuteData(data, tfShape, [2, 3, 0, 1]));
    case 'transpose2d':
      return new Tensor('float32', irShape, permuteData(data, tfShape, [1, 0]));
    case 'broadcast':
      // The bias trained per output: it keeps one value per output, as a 1-D initializer.
      return new Tensor('float32', [layout.size], Float32Array.from(data));
  }
}

/** Keras-style (channels-last) weights → IR layout, for importing TF.js layers models. */
export const kerasWeights = {
  /** Conv2D kernel [kh, kw, I, O] → W [O, I, kh, kw]. */
  conv: (data: ArrayLike<number>, shape: readonly number[]) => weightFromTf({ kind: 'conv' }, data, shape, [shape[3], shape[2], shape[0], shape[1]]),
  /** DepthwiseConv2D kernel [kh, kw, C, m] → W [C·m, 1, kh, kw]. */
  depthwise: (data: ArrayLike<number>, shape: readonly number[]) =>
    weightFromTf({ kind: 'depthwise', channels: shape[2] }, data, shape, [shape[2] * shape[3], 1, shape[0], shape[1]]),
  /** Dense kernel [K, N] → Gemm B [N, K] (transB = 1). */
  dense: (data: ArrayLike<number>, shape: readonly number[]) => weightFromTf({ kind: 'transpose2d' }, data, shape, [shape[1], shape[0]]),
};
