// Gemm: Y = alpha · A' · B' + beta · C, with optional transposes and C broadcast to (M, N).

import { nodeError } from '../errors.js';
import { isBigIntType, type DType } from '../ir/dtype.js';
import type { Node } from '../ir/graph.js';
import { Tensor } from '../ir/tensor.js';
import { defineOp, type ValueType } from './op-def.js';
import { broadcastOffsets } from './util/broadcast.js';
import { required, requireRank, requireType, sameType } from './util/check.js';
import { finishFloat16 } from './util/elementwise.js';
import { MATMUL_TYPES, matrixView, multiplyInto } from './util/nn-matmul.js';

export interface GemmAttrs {
  alpha: number;
  beta: number;
  transA: boolean;
  transB: boolean;
}

export const Gemm = defineOp<GemmAttrs>({
  opType: 'Gemm',
  domain: '',
  inputs: [2, 3],
  outputs: [1, 1],
  paramInputs: { 1: 'weight', 2: 'bias' },
  parseAttrs: (a) => ({
    alpha: Math.fround(a.float('alpha', 1)),
    beta: Math.fround(a.float('beta', 1)),
    transA: a.intOf('transA', 0, [0, 1]) === 1,
    transB: a.intOf('transB', 0, [0, 1]) === 1,
  }),
  infer(inputs, attrs, node) {
    const a = required(inputs, 0, node);
    const dtype = sameType(inputs, node);
    requireType(a, MATMUL_TYPES, node, 'input A');
    const { M, N } = gemmDims(a, required(inputs, 1, node), inputs[2], attrs, node);
    checkIntegerScaling(dtype, attrs, inputs[2] !== undefined, node);
    return [{ dtype, shape: [M, N] }];
  },
  evaluate(inputs, attrs, node) {
    const a = required(inputs, 0, node);
    const b = required(inputs, 1, node);
    const c = inputs[2];
    const { M, K, N } = gemmDims(a, b, c, attrs, node);
    checkIntegerScaling(a.dtype, attrs, c !== undefined, node);
    const out = new Tensor(a.dtype, [M, N]);
    // A is M×K (stored K×M when transposed), B is K×N (stored N×K when transposed).
    const aView = matrixView(a.data, 0, attrs.transA ? M : K, attrs.transA);
    const bView = matrixView(b.data, 0, attrs.transB ? K : N, attrs.transB);
    multiplyInto(a.dtype, aView, bView, M, K, N, out.data, 0);
    if (!a.dtype.startsWith('float')) {
      if (c) addBias(out, c);
      return [out];
    }
    scaleAndAddBias(out, attrs, c);
    return [finishFloat16(out)];
  },
  macs(inputs, outputs, attrs) {
    const a = inputs[0]!;
    const [M, N] = outputs[0].shape;
    const K = attrs.transA ? a.shape[0] : a.shape[1];
    return M * N * K;
  },
});

/** M, K, N of the product, after checking A, B and C against each other. */
function gemmDims(a: ValueType, b: ValueType, c: ValueType | undefined, attrs: GemmAttrs, node: Node) {
  requireRank(a, 2, node, 'input A');
  requireRank(b, 2, node, 'input B');
  const [M, K] = attrs.transA ? [a.shape[1], a.shape[0]] : a.shape;
  const [KB, N] = attrs.transB ? [b.shape[1], b.shape[0]] : b.shape;
  if (K !== KB) {
    throw nodeError(node, `inner dimensions differ: A${attrs.transA ? "'" : ''} is ${M}x${K}, B${attrs.transB ? "'" : ''} is ${KB}x${N}`);
  }
  if (c) {
    // Unidirectional broadcast: each dimension of C (aligned right) is 1 or the output's.
    const target = [M, N].slice(2 - c.shape.length);
    const fits = c.shape.length <= 2 && c.shape.every((d, i) => d === 1 || d === target[i]);
    if (!fits) throw nodeError(node, `input C has shape ${c.shape.join('x') || 'scalar'}, which does not broadcast to the output ${M}x${N}`);
  }
  return { M, K, N };
}

/** Integer Gemm keeps exact products; scaling by alpha or beta would need a float detour ONNX leaves undefined. */
function checkIntegerScaling(dtype: DType, attrs: GemmAttrs, hasC: boolean, node: Node): void {
  if (dtype.startsWith('float')) return;
  if (attrs.alpha !== 1 || (hasC && attrs.beta !== 1)) {
    throw nodeError(node, `alpha ${attrs.alpha} and beta ${attrs.beta} on ${dtype} inputs: integer Gemm is supported only with alpha = beta = 1`);
  }
}

/** Y = alpha·(A·B) + beta·C in float32 steps (exact for float64). */
function scaleAndAddBias(out: Tensor, attrs: GemmAttrs, c: Tensor | undefined): void {
  const round = out.dtype === 'float64' ? (v: number) => v : Math.fround;
  const y = out.data as Float32Array | Float64Array;
  const offsets = c ? broadcastOffsets(c.shape, out.shape) : null;
  const cData = c?.data as Float32Array | Float64Array | undefined;
  const { alpha, beta } = attrs;
  for (let i = 0; i < y.length; i++) {
    let v = alpha === 1 ? y[i] : round(alpha * y[i]);
    if (cData && beta !== 0) {
      const cv = cData[offsets ? offsets[i] : i];
      v = round(v + (beta === 1 ? cv : round(beta * cv)));
    }
    y[i] = v;
  }
}

/** Integer Y += C (wrapping as the storage does). */
function addBias(out: Tensor, c: Tensor): void {
  const offsets = broadcastOffsets(c.shape, out.shape);
  if (isBigIntType(out.dtype)) {
    const y = out.data as BigInt64Array;
    const cData = c.data as BigInt64Array;
    for (let i = 0; i < y.length; i++) y[i] += cData[offsets ? offsets[i] : i];
    return;
  }
  const y = out.data as Int32Array;
  const cData = c.data as Int32Array;
  for (let i = 0; i < y.length; i++) y[i] += cData[offsets ? offsets[i] : i];
}
