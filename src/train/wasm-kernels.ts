// Gradient kernels the wasm backend lacks (conv filter, depthwise filter and input), built from ops it has.
//
// Each kernel runs TF.js ops inside the kernel (the engine does not record them on the gradient
// tape) and returns their result; every one is a single (depthwise) convolution that XNNPACK runs,
// plus transposes and pads. Layout: NHWC, as TF.js's layers use it; NCHW is transposed.
//   Conv2DBackpropFilter: the padded input (channels as the batch, the batch as channels)
//   convolved with dy as the filter, dilated by the strides (im2col + matMul was 7x slower).
//   Conv2DBackpropInput (replaces wasm's loop, ~3x faster): dy, zero-interleaved by the strides,
//   convolved with the flipped filter.
//   DepthwiseConv2dNativeBackpropFilter: one depthwise convolution over a single image whose
//   channels are (batch, channel), dy as the filter; summed over the batch.
//   DepthwiseConv2dNativeBackpropInput: dy spread as above, depthwise-convolved with the flipped
//   filter, summed over the multiplier.

import * as tf from './tf.js';
import { registerMaxPoolGrad } from './wasm-max-pool-grad.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Pair = [number, number];

const pair = (v: number | number[] | undefined, fallback = 1): Pair =>
  v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];

const toNhwc = (t: tf.Tensor4D) => tf.transpose(t, [0, 2, 3, 1]);

function conv2dBackpropFilter({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const a = attrs as unknown as { strides: number | Pair; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] };
  return tf.tidy(() => {
    let x = inputs.x as tf.Tensor4D;
    let dy = inputs.dy as tf.Tensor4D;
    if (a.dataFormat === 'NCHW') {
      x = toNhwc(x);
      dy = toNhwc(dy);
    }
    const info = tf.backend_util.computeConv2DInfo(x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const [kh, kw, ci, co] = a.filterShape;
    const { top, bottom, left, right } = info.padInfo;
    const xp = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    // dW[i, j, c, o] = Σ_{n, p, q} xp[n, p·sh + i, q·sw + j, c] · dy[n, p, q, o]: a convolution of xp
    // (input channels as the batch, the batch as channels) with dy as the filter, dilated by the strides.
    const xs = tf.transpose(xp, [3, 1, 2, 0]); // [C, Hp, Wp, N]
    const f = tf.transpose(dy, [1, 2, 0, 3]); // [outH, outW, N, O]
    const dilations: Pair = [info.strideHeight, info.strideWidth];
    let dw = tf.conv2d(xs, f, 1, 'valid', 'NHWC', dilations); // [C, ≥kh, ≥kw, O]
    if (dw.shape[1] !== kh || dw.shape[2] !== kw) dw = tf.slice(dw, [0, 0, 0, 0], [ci, kh, kw, co]);
    return tf.transpose(dw, [1, 2, 0, 3]);
  });
}

type KernelParams = { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown };

/** Pad (positive) or crop (negative) the rows and columns of an NHWC tensor. */
function padOrCrop(t: tf.Tensor4D, [top, bottom]: Pair, [left, right]: Pair): tf.Tensor4D {
  const cut = (v: number) => Math.max(0, -v);
  const [n, h, w, c] = t.shape;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    t = tf.slice(t, [0, cut(top), cut(left), 0], [n, h - cut(top) - cut(bottom), w - cut(left) - cut(right), c]);
  }
  const grow = (v: number) => Math.max(0, v);
  if (top > 0 || bottom > 0 || left > 0 || right > 0) t = tf.pad(t, [[0, 0], [grow(top), grow(bottom)], [grow(left), grow(right)], [0, 0]]);
  return t;
}

/**
 * dy with zeros interleaved by the strides, shifted so that a 'valid' stride-1 correlation with
 * the flipped filter (dilated like the forward pass) gives dx of the input rows and columns:
 * dx[h] = Σ_i dy'[h + top - i·d] · W[i] = Σ_i' dy'[h + top - (k-1)·d + i'·d] · W[k-1-i'].
 */
function spreadForInputGrad(dy: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, H: number, W: number): tf.Tensor4D {
  const [N, oh, ow, C] = dy.shape;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  let d = dy;
  if (sh > 1 || sw > 1) {
    const spread = tf.pad(tf.reshape(dy, [N, oh, 1, ow, 1, C]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    d = tf.reshape(spread, [N, oh * sh, ow * sw, C]);
  }
  const rowShift = (kh - 1) * dh - info.padInfo.top; // rows to add in front (negative: to drop)
  const colShift = (kw - 1) * dw - info.padInfo.left;
  const rows = H + (kh - 1) * dh;
  const cols = W + (kw - 1) * dw;
  return padOrCrop(d, [rowShift, rows - (d.shape[1] + rowShift)], [colShift, cols - (d.shape[2] + colShift)]);
}

let shippedBackpropInput: tf.KernelConfig | undefined;

/**
 * dx of a convolution as a convolution (XNNPACK) of dy, zero-interleaved by the strides, with the
 * flipped filter: several times faster than wasm's own Conv2DBackpropInput loop, which remains the
 * kernel for NCHW.
 */
function conv2dBackpropInput(params: KernelParams): tf.TensorInfo {
  const { inputs, attrs } = params;
  const a = attrs as unknown as { strides: number | Pair; pad: Pad; dataFormat: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number] };
  if (a.dataFormat !== 'NHWC') return shippedBackpropInput!.kernelFunc(params as never) as tf.TensorInfo;
  return tf.tidy(() => {
    const dy = inputs.dy as tf.Tensor4D;
    const filter = inputs.filter as tf.Tensor4D;
    const [, H, W] = a.inputShape;
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, O, C]
    return tf.conv2d(spreadForInputGrad(dy, info, H, W), flipped, 1, 'valid');
  });
}

interface DepthwiseAttrs {
  strides: number | Pair;
  dilations?: number | Pair;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function depthwiseInfo(inShape: [number, number, number, number], filterShape: [number, number, number, number], a: DepthwiseAttrs) {
  return tf.backend_util.computeConv2DInfo(inShape, filterShape, a.strides, pair(a.dilations as number | number[] | undefined), a.pad, a.dimRoundingMode, true);
}

function depthwiseBackpropFilter({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  return tf.tidy(() => {
    const x = inputs.x as tf.Tensor4D;
    const dy = inputs.dy as tf.Tensor4D;
    const [kh, kw, C, m] = a.filterShape;
    const info = depthwiseInfo(x.shape, a.filterShape, a);
    const { batchSize: N, outHeight: oh, outWidth: ow } = info;
    const { top, bottom, left, right } = info.padInfo;
    const xp = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    // dW[i, j, c, mm] = Σ_{n, p, q} xp[n, p·sh + i·dh, q·sw + j·dw, c] · dy[n, p, q, c·m + mm]: a
    // depthwise convolution over one image whose channels are (n, c), with dy as the filter dilated
    // by the strides, strided by the dilations (one of the two is 1); summing over n afterwards.
    const xs = tf.reshape(tf.transpose(xp, [1, 2, 0, 3]), [1, xp.shape[1], xp.shape[2], N * C]);
    const f = tf.reshape(tf.transpose(tf.reshape(dy, [N, oh, ow, C, m]), [1, 2, 0, 3, 4]), [oh, ow, N * C, m]) as tf.Tensor4D;
    const strides: Pair = [info.dilationHeight, info.dilationWidth];
    let g = tf.depthwiseConv2d(xs as tf.Tensor4D, f, strides, 'valid', 'NHWC', [info.strideHeight, info.strideWidth]); // [1, ≥kh, ≥kw, N·C·m]
    if (g.shape[1] !== kh || g.shape[2] !== kw) g = tf.slice(g, [0, 0, 0, 0], [1, kh, kw, N * C * m]);
    return tf.sum(tf.reshape(g, [kh, kw, N, C, m]), 2);
  });
}

function depthwiseBackpropInput({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  return tf.tidy(() => {
    const dy = inputs.dy as tf.Tensor4D;
    const filter = inputs.filter as tf.Tensor4D;
    const [kh, kw, C, m] = filter.shape;
    const [N, H, W] = a.inputShape;
    const info = depthwiseInfo(a.inputShape, filter.shape, a);
    // A depthwise correlation (multiplier 1) of the spread dy with the flipped filter, then Σ over mm.
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, C * m, 1]) as tf.Tensor4D;
    const dilations: Pair = [info.dilationHeight, info.dilationWidth];
    const y = tf.depthwiseConv2d(spreadForInputGrad(dy, info, H, W), flipped, 1, 'valid', 'NHWC', dilations); // [N, H, W, C·m]
    return m === 1 ? y : tf.sum(tf.reshape(y, [N, H, W, C, m]), 4);
  });
}

const KERNELS: { name: string; fn: (p: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }) => tf.TensorInfo }[] = [
  { name: 'Conv2DBackpropFilter', fn: conv2dBackpropFilter },
  { name: 'DepthwiseConv2dNativeBackpropFilter', fn: depthwiseBackpropFilter },
  { name: 'DepthwiseConv2dNativeBackpropInput', fn: depthwiseBackpropInput },
];

/**
 * Register the missing kernels on 'wasm' (kernels already there are kept), and replace wasm's
 * Conv2DBackpropInput by the faster one above (which keeps it for NCHW) and its MaxPoolGrad by the
 * JavaScript one of wasm-max-pool-grad.ts (the same bits). Returns the kernels set.
 */
export function registerWasmGradientKernels(backendName = 'wasm'): string[] {
  const added: string[] = [];
  for (const k of KERNELS) {
    if (tf.getKernel(k.name, backendName)) continue;
    tf.registerKernel({ kernelName: k.name, backendName, kernelFunc: k.fn as unknown as tf.KernelFunc });
    added.push(k.name);
  }
  const shipped = tf.getKernel('Conv2DBackpropInput', backendName);
  if (shipped && shipped.kernelFunc !== (conv2dBackpropInput as unknown)) {
    shippedBackpropInput = shipped;
    tf.unregisterKernel('Conv2DBackpropInput', backendName);
    tf.registerKernel({ ...shipped, kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc });
    added.push('Conv2DBackpropInput');
  }
  if (registerMaxPoolGrad(backendName)) added.push('MaxPoolGrad');
  return added;
}

/** The kernels as plain functions of tensors, for comparing with another backend's kernels in tests. */
export const gradientKernelsForTest = {
  conv2dBackpropFilter: (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], strides: number | Pair, pad: Pad) =>
    conv2dBackpropFilter({ inputs: { x, dy }, attrs: { strides, pad, dataFormat: 'NHWC', filterShape } as unknown as tf.NamedAttrMap }) as tf.Tensor4D,
  depthwiseBackpropFilter: (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], strides: number | Pair, pad: Pad, dilations: number | Pair = 1) =>
    depthwiseBackpropFilter({ inputs: { x, dy }, attrs: { strides, pad, dilations, filterShape } as unknown as tf.NamedAttrMap }) as tf.Tensor4D,
  depthwiseBackpropInput: (inputShape: [number, number, number, number], dy: tf.Tensor4D, filter: tf.Tensor4D, strides: number | Pair, pad: Pad, dilations: number | Pair = 1) =>
    depthwiseBackpropInput({ inputs: { dy, filter }, attrs: { strides, pad, dilations, inputShape } as unknown as tf.NamedAttrMap }) as tf.Tensor4D,
};
