// C lowerings of the int8 ops: Int8Conv and Int8Gemm (ai.edgeprune), and QuantizeLinear, DequantizeLinear and MaxPool on int8.
//
// The kernels (templates/c/lib/ep_int8_*.h) take the weights in their ONNX layout, the int32 bias as is, and the
// per-channel fixed-point constants from channelMultipliers (src/ops/util/int8-params.ts): mult int32 [M] and shift
// int8 [M]; an Int8Gemm with per-tensor weights (w_scale [1], M > 1) stores one pair and calls the _pt entry. Zero points, clamps and shapes are literal arguments. The int8 ops carry their fused activation in
// act_min/act_max, so no ReLU is fused here. A layer with pruned weights may take the weight-sparse int8 kernel instead
// (ep_int8_sparse.h), chosen per layer by sparse-choice-s8.ts as the float layers are by sparse-choice.ts.

import type { Node } from '../../ir/graph.js';
import { shapeSize, Tensor } from '../../ir/tensor.js';
import type { Int8ConvAttrs } from '../../ops/int8-conv.js';
import type { Int8GemmAttrs } from '../../ops/int8-gemm.js';
import { convGeometry } from '../../ops/util/conv-geometry.js';
import { channelMultipliers, checkSymmetricWeights, LAYER_INPUTS as conv, LAYER_INPUTS as gemm } from '../../ops/util/int8-params.js';
import { float, int, NULL_ARG, value, weight, type CArg, type CCall, type CStep } from './c-step.js';
import { unsupported, type LowerContext, type Lowering } from './lower.js';
import { as2d, NN_LOWERINGS, perBatch, sparseNote } from './lower-nn.js';
import { INT8_ELEMENTWISE_LOWERINGS } from './lower-int8-elementwise.js';
import { INT8_POOL_LOWERINGS } from './lower-int8-pool.js';
import { constantInput, int8Value, scale, zeroPoint } from './lower-int8-operands.js';
import { refineWithEstimator, type ConvShape } from './sparse-choice.js';
import { chooseSparseConvS8, chooseSparseDenseS8, foldZeroPoint, packSparseConvS8, packSparseDenseS8 } from './sparse-choice-s8.js';

/** An Int8Gemm whose outputs share one weight scale (w_scale [1]) and so one multiplier and shift: the _pt kernels. */
function perTensorDense(ctx: LowerContext, M: number): boolean {
  return M > 1 && constantInput(ctx, gemm.W_SCALE, 'w_scale', 'float32').size === 1;
}

/**
 * The arguments every int8 layer kernel shares after its weights: bias (or NULL), the per-channel multipliers and
 * shifts (channelMultipliers: the one definition; one pair when `shared`, for the _pt kernels), then the output.
 */
function layerParams(ctx: LowerContext, M: number, node: Node, out: string, outOffset = 0, shared = false): CArg[] {
  const multipliers = channelMultipliers(
    constantInput(ctx, conv.X_SCALE, 'x_scale', 'float32'),
    constantInput(ctx, conv.W_SCALE, 'w_scale', 'float32'),
    constantInput(ctx, conv.Y_SCALE, 'y_scale', 'float32'),
    M,
    node,
  );
  const biasName = ctx.node.inputs[conv.BIAS];
  const bias = biasName ? weight(biasName, constantInput(ctx, conv.BIAS, 'bias B', 'int32')) : NULL_ARG;
  const kept = shared ? multipliers.slice(0, 1) : multipliers;
  return [
    bias,
    weight(`${node.name}:requant_mult`, Tensor.fromNumbers('int32', [kept.length], kept.map((m) => m.multiplier))),
    weight(`${node.name}:requant_shift`, Tensor.fromNumbers('int8', [kept.length], kept.map((m) => m.shift))),
    value(out, outOffset),
  ];
}

/** x_zp, y_zp, act_min, act_max: the literal tail of the layer kernels. */
function quantTail(ctx: LowerContext, clamp: { actMin: number; actMax: number }): CArg[] {
  return [int(zeroPoint(ctx, conv.X_ZERO, 'x_zero_point')), int(zeroPoint(ctx, conv.Y_ZERO, 'y_zero_point')), int(clamp.actMin), int(clamp.actMax)];
}

/** The int8 weights, checked symmetric (the interpreter refuses -128 too). */
function int8Weights(ctx: LowerContext): Tensor {
  const w = constantInput(ctx, conv.W, 'weight w', 'int8');
  checkSymmetricWeights(w, ctx.node);
  return w;
}

/** The layer has a bias array. */
const hasBias = (ctx: LowerContext) => Boolean(ctx.node.inputs[conv.BIAS]);

/**
 * The weight arrays of a sparse int8 kernel (sparse-choice-s8.ts: the packed arrays, then acc0, the bias with the
 * input zero point folded in, which takes the bias's place).
 */
function sparseArrays(ctx: LowerContext, wt: Tensor, M: number, packed: Record<string, Tensor>): CArg[] {
  const w = ctx.node.inputs[conv.W];
  const bias = hasBias(ctx) ? (constantInput(ctx, conv.BIAS, 'bias B', 'int32').data as Int32Array) : undefined;
  const xZero = zeroPoint(ctx, conv.X_ZERO, 'x_zero_point');
  return [
    ...Object.entries(packed).map(([name, t]) => weight(`${w}:sparse_s8_${name}`, t)),
    weight(`${ctx.node.name}:sparse_s8_acc0`, foldZeroPoint(wt.data as Int8Array, M, bias, xZero)),
  ];
}

const int8Conv: Lowering = {
  lower(ctx): CStep {
    const attrs = ctx.attrs as Int8ConvAttrs;
    const x = int8Value(ctx, conv.X, 'input x');
    const xs = ctx.type(x).shape;
    const wt = int8Weights(ctx);
    const p = convGeometry(xs, wt.shape, attrs, ctx.node);
    const [N, C] = xs;
    const M = wt.shape[0];
    const [H, W] = as2d(xs.slice(2), 'Int8Conv', 1);
    const [KH, KW] = as2d(wt.shape.slice(2), 'Int8Conv', 1);
    const [OH, OW] = as2d(p.geometry.outSpatial, 'Int8Conv', 1);
    const [sh, sw] = as2d(p.strides, 'Int8Conv', 1);
    const [dh, dw] = as2d(p.dilations, 'Int8Conv', 1);
    const [pt, pl] = as2d(p.geometry.padBegin, 'Int8Conv', 0);
    const out = ctx.output(0);
    const shape = [int(C), int(H), int(W), int(M), int(KH), int(KW), int(OH), int(OW), int(sh), int(sw), int(dh), int(dw), int(pt), int(pl), int(p.group)];
    const tail = quantTail(ctx, attrs);
    const denseCalls = () =>
      perBatch(N, C * H * W, M * OH * OW, (i, o): CCall => ({
        kernel: 'ep_conv2d_s8',
        args: [value(x, i), weight(ctx.node.inputs[conv.W], wt), ...layerParams(ctx, M, ctx.node, out, o), ...shape, ...tail],
      }));
    const geometry: ConvShape = { C, H, W, M, KH, KW, OH, OW, sh, sw, dh, dw, pt, pl, groups: p.group };
    const sparseCalls = () => {
      const packed = packSparseConvS8(wt.data as Int8Array, geometry);
      const arrays = sparseArrays(ctx, wt, M, { cnt: packed.cnt, ent: packed.ent });
      return perBatch(N, C * H * W, M * OH * OW, (i, o): CCall => ({
        kernel: 'ep_sparse_conv2d_s8',
        args: [value(x, i), ...arrays, ...layerParams(ctx, M, ctx.node, out, o).slice(1), ...shape, ...tail],
      }));
    };
    const mode = ctx.sparse ?? 'auto';
    const decision = refineWithEstimator(mode, chooseSparseConvS8(mode, wt.data as Int8Array, geometry, hasBias(ctx)), ctx.estimator, denseCalls, sparseCalls);
    return {
      nodes: [ctx.node.name],
      summary: `Int8Conv ${KH}x${KW} ${C}→${M}${p.group > 1 ? ` groups ${p.group}` : ''}${sparseNote(decision)}`,
      inputs: [x],
      outputs: [out],
      calls: decision.kernel === 'sparse' ? sparseCalls() : denseCalls(),
      sparse: decision,
    };
  },
};

const int8Gemm: Lowering = {
  lower(ctx): CStep {
    const attrs = ctx.attrs as Int8GemmAttrs;
    const x = int8Value(ctx, gemm.X, 'input x');
    const [rows, K] = ctx.type(x).shape;
    const wt = int8Weights(ctx);
    const M = wt.shape[0];
    const out = ctx.output(0);
    const shared = perTensorDense(ctx, M);
    const suffix = shared ? '_pt' : '';
    const denseCall = (): CCall => ({
      kernel: `ep_dense_s8${suffix}`,
      args: [value(x), weight(ctx.node.inputs[gemm.W], wt), ...layerParams(ctx, M, ctx.node, out, 0, shared), int(rows), int(K), int(M), ...quantTail(ctx, attrs)],
    });
    const sparseCall = (): CCall => {
      const packed = packSparseDenseS8(wt.data as Int8Array, M, K);
      const [, yZero, actMin, actMax] = quantTail(ctx, attrs);
      return {
        kernel: `ep_sparse_dense_s8${suffix}`,
        args: [value(x), ...sparseArrays(ctx, wt, M, { cnt: packed.cnt, pos: packed.idx, val: packed.val }), ...layerParams(ctx, M, ctx.node, out, 0, shared).slice(1), int(rows), int(K), int(M), yZero, actMin, actMax],
      };
    };
    const mode = ctx.sparse ?? 'auto';
    const decision = refineWithEstimator(mode, chooseSparseDenseS8(mode, wt.data as Int8Array, rows, K, M, hasBias(ctx)), ctx.estimator, () => [denseCall()], () => [sparseCall()]);
    return {
      nodes: [ctx.node.name],
      summary: `Int8Gemm ${K}→${M}${shared ? ' per-tensor' : ''}${sparseNote(decision)}`,
      inputs: [x],
      outputs: [out],
      calls: [decision.kernel === 'sparse' ? sparseCall() : denseCall()],
      sparse: decision,
    };
  },
};

const quantizeLinear: Lowering = {
  lower(ctx): CStep {
    const x = ctx.node.inputs[0];
    const xt = ctx.type(x);
    if (ctx.constant(x)) unsupported(`input '${x}' is a constant; quantize it before compiling`);
    if (xt.dtype !== 'float32') unsupported(`input '${x}' is ${xt.dtype}; the C kernel quantizes float32`);
    const out = ctx.output(0);
    if (ctx.type(out).dtype !== 'int8') unsupported(`output '${out}' is ${ctx.type(out).dtype}; the C kernel quantizes to int8 (give an int8 y_zero_point)`);
    const n = shapeSize(xt.shape);
    return {
      nodes: [ctx.node.name],
      summary: 'QuantizeLinear float32→int8',
      inputs: [x],
      outputs: [out],
      calls: [{ kernel: 'ep_quantize_f32_s8', args: [value(x), value(out), int(n), float(scale(ctx, 1, 'y_scale')), int(zeroPoint(ctx, 2, 'y_zero_point'))] }],
    };
  },
};

const dequantizeLinear: Lowering = {
  lower(ctx): CStep {
    const x = ctx.node.inputs[0];
    if (ctx.constant(x)) unsupported(`input '${x}' is a constant (a quantized weight); only run-time int8 tensors are dequantized in C`);
    const xt = ctx.type(x);
    if (xt.dtype !== 'int8') unsupported(`input '${x}' is ${xt.dtype}; the C kernel dequantizes int8`);
    const out = ctx.output(0);
    if (ctx.type(out).dtype !== 'float32') unsupported(`output '${out}' is ${ctx.type(out).dtype}; the C kernel dequantizes to float32`);
    return {
      nodes: [ctx.node.name],
      summary: 'DequantizeLinear int8→float32',
      inputs: [x],
      outputs: [out],
      calls: [{ kernel: 'ep_dequantize_s8_f32', args: [value(x), value(out), int(shapeSize(xt.shape)), float(scale(ctx, 1, 'x_scale')), int(zeroPoint(ctx, 2, 'x_zero_point'))] }],
    };
  },
};

/** MaxPool on int8: the float lowering's geometry, the int8 kernel (the same argument list). */
const int8MaxPool: Lowering = {
  lower(ctx): CStep {
    const x = ctx.node.inputs[0];
    if (ctx.type(x).dtype !== 'int8') unsupported(`input '${x}' is ${ctx.type(x).dtype}; the int8 MaxPool kernel reads int8`);
    const step = NN_LOWERINGS.MaxPool.lower(ctx);
    return { ...step, summary: `${step.summary} int8`, calls: step.calls.map((c) => ({ ...c, kernel: 'ep_maxpool2d_s8' })) };
  },
};

/** The int8 layers of domain ai.edgeprune, by op type. */
export const INT8_LOWERINGS: Record<string, Lowering> = { Int8Conv: int8Conv, Int8Gemm: int8Gemm, ...INT8_ELEMENTWISE_LOWERINGS, ...INT8_POOL_LOWERINGS };

/** Standard-domain ops on int8 tensors (to be chosen by dtype): the float/int8 boundary and max pooling. */
export const INT8_STANDARD_LOWERINGS: Record<string, Lowering> = { QuantizeLinear: quantizeLinear, DequantizeLinear: dequantizeLinear, MaxPool: int8MaxPool };
