// C lowerings of the layers with weights or windows: Conv, ConvTranspose, Gemm, MatMul, pools, BatchNorm.

import { shapeSize, Tensor } from '../../ir/tensor.js';
import type { BatchNormalizationAttrs } from '../../ops/batch-normalization.js';
import type { GemmAttrs } from '../../ops/gemm.js';
import type { AveragePoolAttrs } from '../../ops/average-pool.js';
import type { MaxPoolAttrs } from '../../ops/max-pool.js';
import { broadcastOffsets } from '../../ops/util/broadcast.js';
import { convGeometry, type ConvAttrs } from '../../ops/util/conv-geometry.js';
import { convTransposeGeometry, type ConvTransposeAttrs } from '../../ops/util/nn-conv-transpose-geometry.js';
import { resolveWindow } from '../../ops/util/nn-pool.js';
import { float, int, NULL_ARG, value, weight, type CArg, type CCall, type CStep } from './c-step.js';
import { unsupported, type LowerContext, type Lowering } from './lower.js';
import { chooseSparseConv, chooseSparseDense, packSparseConv, packSparseDense, refineWithEstimator, type ConvShape, type SparseDecision } from './sparse-choice.js';
import { transpose2d } from './weight-transforms.js';

const NO_CLAMP = { min: -Infinity, max: Infinity };

/** A constant float32 input (weights), or a refusal naming what is wrong. */
function constantWeight(ctx: LowerContext, index: number, what: string): Tensor {
  const name = ctx.node.inputs[index];
  const t = ctx.constant(name);
  if (!t) unsupported(`${what} '${name}' is computed at run time; the C kernels need constant ${what}s`);
  if (t.dtype !== 'float32') unsupported(`${what} '${name}' is ${t.dtype}, not float32`);
  return t;
}

/** Spatial extent as 2-D: 1-D windows run as H = 1. */
export function as2d(spatial: readonly number[], what: string, fill: number): [number, number] {
  if (spatial.length === 1) return [fill, spatial[0]];
  if (spatial.length === 2) return [spatial[0], spatial[1]];
  return unsupported(`${what} has ${spatial.length} spatial dimensions; the C kernels handle 1-D and 2-D`);
}

/** One call per batch element, offsetting the input and output pointers. */
export function perBatch(n: number, inStride: number, outStride: number, make: (inOffset: number, outOffset: number) => CCall): CCall[] {
  return Array.from({ length: n }, (_, b) => make(b * inStride, b * outStride));
}

function biasArg(ctx: LowerContext, index: number): CArg {
  const name = ctx.node.inputs[index];
  return name ? weight(name, constantWeight(ctx, index, 'bias')) : NULL_ARG;
}

/** " (sparse: n of m weights)" for the summary of a step that runs a sparse kernel. */
export function sparseNote(d: SparseDecision): string {
  return d.kernel === 'sparse' ? ` (sparse: ${d.nonZeros} of ${d.weights} weights)` : '';
}

const conv: Lowering = {
  fusesActivation: true,
  lower(ctx) {
    const [x, w] = ctx.node.inputs;
    const xs = ctx.type(x).shape;
    const wt = constantWeight(ctx, 1, 'weight');
    const p = convGeometry(xs, wt.shape, ctx.attrs as ConvAttrs, ctx.node);
    const [N, C] = xs;
    const M = wt.shape[0];
    const [H, W] = as2d(xs.slice(2), 'Conv', 1);
    const [KH, KW] = as2d(wt.shape.slice(2), 'Conv', 1);
    const [OH, OW] = as2d(p.geometry.outSpatial, 'Conv', 1);
    const [sh, sw] = as2d(p.strides, 'Conv', 1);
    const [dh, dw] = as2d(p.dilations, 'Conv', 1);
    const [pt, pl] = as2d(p.geometry.padBegin, 'Conv', 0);
    const act = ctx.activation ?? NO_CLAMP;
    const out = ctx.output(0);
    const shape: ConvShape = { C, H, W, M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups: p.group };
    const geometry = [int(C), int(H), int(W), int(M), int(KH), int(KW), int(OH), int(OW), int(sh), int(sw), int(dh), int(dw), int(pt), int(pl), int(p.group), float(act.min), float(act.max)];
    const sparseCalls = () => {
      const packed = packSparseConv(wt.data as Float32Array, shape);
      const weights = [
        weight(`${w}:sparse_cnt`, packed.cnt),
        weight(`${w}:sparse_tap:${H}x${W}:${dh}x${dw}`, packed.tap),
        weight(`${w}:sparse_val`, packed.val),
      ];
      return perBatch(N, C * H * W, M * OH * OW, (i, o): CCall => ({ kernel: 'ep_sparse_conv2d_f32', args: [value(x, i), ...weights, biasArg(ctx, 2), value(out, o), ...geometry] }));
    };
    const denseCalls = () => perBatch(N, C * H * W, M * OH * OW, (i, o): CCall => ({ kernel: 'ep_conv2d_f32', args: [value(x, i), weight(w, wt), biasArg(ctx, 2), value(out, o), ...geometry] }));
    const mode = ctx.sparse ?? 'auto';
    const decision = refineWithEstimator(mode, chooseSparseConv(mode, wt.data as Float32Array, shape), ctx.estimator, denseCalls, sparseCalls);
    const calls = decision.kernel === 'sparse' ? sparseCalls() : denseCalls();
    return {
      nodes: [ctx.node.name],
      summary: `Conv ${KH}x${KW} ${C}→${M}${p.group > 1 ? ` groups ${p.group}` : ''}${sparseNote(decision)}`,
      inputs: [x],
      outputs: [out],
      calls,
      sparse: decision,
    };
  },
};

const convTranspose: Lowering = {
  lower(ctx) {
    const [x, w] = ctx.node.inputs;
    const xs = ctx.type(x).shape;
    const wt = constantWeight(ctx, 1, 'weight');
    const b = ctx.node.inputs[2];
    const g = convTransposeGeometry(xs, wt.shape, b ? ctx.type(b).shape : undefined, ctx.attrs as ConvTransposeAttrs, ctx.node);
    const [N, C] = xs;
    const M = g.outChannels;
    const [H, W] = as2d(xs.slice(2), 'ConvTranspose', 1);
    const [KH, KW] = as2d(g.kernel, 'ConvTranspose', 1);
    const [OH, OW] = as2d(g.outSpatial, 'ConvTranspose', 1);
    const [sh, sw] = as2d(g.strides, 'ConvTranspose', 1);
    const [dh, dw] = as2d(g.dilations, 'ConvTranspose', 1);
    const [pt, pl] = as2d(g.padBegin, 'ConvTranspose', 0);
    const out = ctx.output(0);
    return {
      nodes: [ctx.node.name],
      summary: `ConvTranspose ${KH}x${KW} ${C}→${M}`,
      inputs: [x],
      outputs: [out],
      calls: perBatch(N, C * H * W, M * OH * OW, (i, o) => ({
        kernel: 'ep_conv_transpose2d_f32',
        args: [value(x, i), weight(w, wt), biasArg(ctx, 2), value(out, o), int(C), int(H), int(W), int(M), int(KH), int(KW), int(OH), int(OW),
          int(sh), int(sw), int(dh), int(dw), int(pt), int(pl), int(g.group)],
      })),
    };
  },
};

/**
 * A dense layer: y[rows][N] = x[rows][K] · W[N][K]ᵀ + bias, with the weights already in [N][K] layout; the
 * weight-sparse kernel when the layer's zeros make it faster and smaller (sparse-choice.ts).
 */
function denseStep(ctx: LowerContext, x: string, wKey: string, w: Tensor, bias: CArg, rows: number, K: number, N: number, summary: string): CStep {
  const act = ctx.activation ?? NO_CLAMP;
  const out = ctx.output(0);
  const data = w.data as Float32Array;
  const shape = [int(rows), int(K), int(N), float(act.min), float(act.max)];
  const sparseCall = (): CCall => {
    const packed = packSparseDense(data, N, K);
    return {
      kernel: 'ep_sparse_dense_f32',
      args: [value(x), weight(`${wKey}:sparse_hdr`, packed.hdr), weight(`${wKey}:sparse_off`, packed.off), weight(`${wKey}:sparse_val`, packed.val), bias, value(out), ...shape],
    };
  };
  const denseCall = (): CCall => ({ kernel: 'ep_dense_f32', args: [value(x), weight(wKey, w), bias, value(out), ...shape] });
  const mode = ctx.sparse ?? 'auto';
  const decision = refineWithEstimator(mode, chooseSparseDense(mode, data, rows, K, N), ctx.estimator, () => [denseCall()], () => [sparseCall()]);
  const call = decision.kernel === 'sparse' ? sparseCall() : denseCall();
  return {
    nodes: [ctx.node.name],
    summary: summary + sparseNote(decision),
    inputs: [x],
    outputs: [out],
    calls: [call],
    sparse: decision,
  };
}

/** A Gemm bias C that broadcasts along rows (scalar, [N] or [1, N]), scaled by beta, as an N-vector. */
function gemmBias(ctx: LowerContext, N: number, beta: number): CArg {
  const name = ctx.node.inputs[2];
  if (!name) return NULL_ARG;
  const c = constantWeight(ctx, 2, 'bias');
  const perColumn = c.size === N && (c.rank === 1 || (c.rank === 2 && c.shape[0] === 1));
  if (!perColumn && c.size !== 1) unsupported(`bias C of shape ${c.shape.join('x')} does not broadcast along rows; the dense kernel takes a bias per output`);
  if (beta === 1 && perColumn) return weight(name, c);
  const values = Array.from({ length: N }, (_, n) => beta * c.at(perColumn ? n : 0));
  return weight(`${name}:gemm_bias_x${beta}`, Tensor.fromNumbers('float32', [N], values));
}

const gemm: Lowering = {
  fusesActivation: true,
  lower(ctx) {
    const a = ctx.attrs as GemmAttrs;
    const [x, bName] = ctx.node.inputs;
    if (a.transA) unsupported('transA=1 (a transposed run-time input) has no C kernel');
    const [M, K] = ctx.type(x).shape;
    const bConst = ctx.constant(bName);
    if (!bConst) {
      if (a.transB || a.alpha !== 1 || ctx.node.inputs[2] || ctx.activation) unsupported('a run-time B is supported only without transB, alpha, C or a fused activation');
      const N = ctx.type(bName).shape[1];
      const out = ctx.output(0);
      return { nodes: [ctx.node.name], summary: `MatMul ${M}x${K}·${K}x${N}`, inputs: [x, bName], outputs: [out], calls: [{ kernel: 'ep_matmul_f32', args: [value(x), value(bName), value(out), int(M), int(K), int(N)] }] };
    }
    const b = constantWeight(ctx, 1, 'weight');
    const N = a.transB ? b.shape[0] : b.shape[1];
    let w = a.transB ? b : transpose2d(b);
    let key = a.transB ? bName : `${bName}:T`;
    if (a.alpha !== 1) {
      w = Tensor.fromNumbers('float32', w.shape, w.toNumbers().map((v) => a.alpha * v));
      key += `:x${a.alpha}`;
    }
    return denseStep(ctx, x, key, w, gemmBias(ctx, N, a.beta), M, K, N, `Gemm ${K}→${N}`);
  },
};

const matMul: Lowering = {
  fusesActivation: true,
  lower(ctx) {
    const [aName, bName] = ctx.node.inputs;
    const as = ctx.type(aName).shape;
    const bs = ctx.type(bName).shape;
    const bConst = ctx.constant(bName);
    if (bConst && bs.length === 2) {
      const [K, N] = bs;
      const rows = shapeSize(as) / K;
      return denseStep(ctx, aName, `${bName}:T`, transpose2d(constantWeight(ctx, 1, 'weight')), NULL_ARG, rows, K, N, `MatMul ${K}→${N}`);
    }
    if (ctx.activation) unsupported('internal: activation fused into a batched MatMul');
    // Batched (or run-time) product: one ep_matmul_f32 per output batch, with numpy broadcasting of batch dims.
    const a2 = as.length === 1 ? [1, as[0]] : as;
    const b2 = bs.length === 1 ? [bs[0], 1] : bs;
    const [M, K] = a2.slice(-2);
    const N = b2[b2.length - 1];
    const aBatch = a2.slice(0, -2);
    const bBatch = b2.slice(0, -2);
    const rank = Math.max(aBatch.length, bBatch.length);
    const outBatch = Array.from({ length: rank }, (_, i) => {
      const da = aBatch[i - (rank - aBatch.length)] ?? 1;
      const db = bBatch[i - (rank - bBatch.length)] ?? 1;
      return Math.max(da, db);
    });
    const count = shapeSize(outBatch);
    const aOff = broadcastOffsets(aBatch, outBatch);
    const bOff = broadcastOffsets(bBatch, outBatch);
    const out = ctx.output(0);
    const bArg = (i: number): CArg => {
      const off = (bOff ? bOff[i] : i) * K * N;
      return bConst ? { kind: 'weight', weight: { key: bName, tensor: bConst }, elementOffset: off } : value(bName, off);
    };
    return {
      nodes: [ctx.node.name],
      summary: `MatMul ${count > 1 ? `${count}x ` : ''}${M}x${K}·${K}x${N}`,
      inputs: bConst ? [aName] : [aName, bName],
      outputs: [out],
      calls: Array.from({ length: count }, (_, i) => ({
        kernel: 'ep_matmul_f32',
        args: [value(aName, (aOff ? aOff[i] : i) * M * K), bArg(i), value(out, i * M * N), int(M), int(K), int(N)],
      })),
    };
  },
};

function pool(kind: 'max' | 'avg'): Lowering {
  return {
    lower(ctx) {
      const attrs = ctx.attrs as MaxPoolAttrs & AveragePoolAttrs;
      if (ctx.node.outputs[1]) unsupported('the Indices output of MaxPool has no C kernel');
      const x = ctx.node.inputs[0];
      const xs = ctx.type(x).shape;
      const { win, geometry } = resolveWindow(xs, attrs, ctx.node);
      const [N, C] = xs;
      const [H, W] = as2d(xs.slice(2), 'the pool', 1);
      const [OH, OW] = as2d(geometry.outSpatial, 'the pool', 1);
      const [KH, KW] = as2d(win.kernel, 'the pool', 1);
      const [sh, sw] = as2d(win.strides, 'the pool', 1);
      const [dh, dw] = as2d(win.dilations, 'the pool', 1);
      const [pt, pl] = as2d(geometry.padBegin, 'the pool', 0);
      const [pb, pr] = as2d(geometry.padEnd, 'the pool', 0);
      const out = ctx.output(0);
      const common = [int(N * C), int(H), int(W), int(OH), int(OW), int(KH), int(KW), int(sh), int(sw), int(dh), int(dw), int(pt), int(pl)];
      const args = kind === 'max' ? common : [...common, int(pb), int(pr), int(attrs.countIncludePad ? 1 : 0)];
      return {
        nodes: [ctx.node.name],
        summary: `${kind === 'max' ? 'MaxPool' : 'AveragePool'} ${KH}x${KW}`,
        inputs: [x],
        outputs: [out],
        calls: [{ kernel: kind === 'max' ? 'ep_maxpool2d_f32' : 'ep_avgpool2d_f32', args: [value(x), value(out), ...args] }],
      };
    },
  };
}

function globalPool(kind: 'max' | 'avg'): Lowering {
  return {
    lower(ctx) {
      const x = ctx.node.inputs[0];
      const xs = ctx.type(x).shape;
      const out = ctx.output(0);
      return {
        nodes: [ctx.node.name],
        summary: kind === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool',
        inputs: [x],
        outputs: [out],
        calls: [{ kernel: kind === 'max' ? 'ep_global_maxpool_f32' : 'ep_global_avgpool_f32', args: [value(x), value(out), int(xs[0] * xs[1]), int(shapeSize(xs.slice(2)))] }],
      };
    },
  };
}

const batchNorm: Lowering = {
  lower(ctx) {
    const x = ctx.node.inputs[0];
    const xs = ctx.type(x).shape;
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => constantWeight(ctx, i, 'normalization parameter'));
    const { epsilon } = ctx.attrs as BatchNormalizationAttrs;
    const C = xs.length > 1 ? xs[1] : 1;
    const scale = Array.from({ length: C }, (_, c) => gamma.at(c) / Math.sqrt(variance.at(c) + epsilon));
    const shift = scale.map((s, c) => beta.at(c) - mean.at(c) * s);
    const plane = shapeSize(xs.slice(2));
    const out = ctx.output(0);
    const name = ctx.node.name;
    return {
      nodes: [name],
      summary: 'BatchNormalization (per-channel affine)',
      inputs: [x],
      outputs: [out],
      inPlace: [{ output: 0, input: 0 }],
      calls: perBatch(xs[0], C * plane, C * plane, (i, o) => ({
        kernel: 'ep_channel_affine_f32',
        args: [value(x, i), value(out, o), weight(`${name}:scale`, Tensor.fromNumbers('float32', [C], scale)), weight(`${name}:shift`, Tensor.fromNumbers('float32', [C], shift)), int(C), int(plane)],
      })),
    };
  },
};

export const NN_LOWERINGS: Record<string, Lowering> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  Gemm: gemm,
  MatMul: matMul,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalMaxPool: globalPool('max'),
  GlobalAveragePool: globalPool('avg'),
  BatchNormalization: batchNorm,
};
