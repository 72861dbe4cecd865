// The cost model's view of each C kernel call: from the call's literal arguments, the counts of the
// kernel's loop bodies as they execute (the instruction formula's terms) and the sizes of the code the
// call site compiles into (the code-size formula's terms). Every analysis mirrors the loop structure of
// its kernel in templates/c/lib/ (tile choice, border/interior split, unrolled bodies), so that each
// term is the number of times a piece of straight-line code runs, or the size of such a piece; a
// target's calibration (targets/calibration/<target>.json) gives each term its weight. The formulas
// live in kernel-models/, one file per kernel header; this file gathers them and adds zero products.

import type { CArg, CCall } from '../emit/c/c-step.js';
import { countZeros } from '../ir/tensor.js';
import { add, CostModelError, PORTABLE_CONTEXT, type KernelContext, type KernelModel, type KernelUse } from './kernel-models/common.js';
import { conv2d, convTranspose2d } from './kernel-models/conv.js';
import { copyBlocks, pad, transpose } from './kernel-models/data.js';
import { dense, matmul } from './kernel-models/dense.js';
import { binary, channelAffine, reduce, softmax, unary } from './kernel-models/elementwise.js';
import { globalPool, pool2d } from './kernel-models/pool.js';
import { sparseConv, sparseDense } from './kernel-models/sparse.js';
import { conv2dS8 } from './kernel-models/int8-conv.js';
import { copyBlocksS8, denseS8, dequantizeS8, maxPool2dS8, quantizeS8, transposeS8 } from './kernel-models/int8.js';
import { addS8, avgPool2dS8, globalAvgPoolS8, softmaxTail } from './kernel-models/int8-ops.js';
import { sparseConvS8, sparseDenseS8 } from './kernel-models/int8-sparse.js';
import { argMaxF32, argMaxS8 } from './kernel-models/argmax.js';

export { CostModelError, type KernelContext, type KernelModel, type KernelUse };
export { kernelContextOfCore, PORTABLE_CONTEXT } from './kernel-models/common.js';
/**
 * Multiply-accumulate kernels whose products cost less when one factor is zero. With an FPU an fmaf takes the same
 * time whatever the operands; in soft float (Cortex-M3) newlib's fmaf returns early on a zero product, about a third
 * cheaper. Their executed-MAC term is split into the share with a non-zero product (the term itself) and
 * `zeroProducts`, from the zero fraction of the input value (`input`, from data: see activation-zeros.ts) and of the
 * other factor (`other`: a weight array's own zeros, or a run-time value's fraction).
 */
interface ZeroAware {
  term: string;
  input: number;
  other?: number;
}

const ZERO_AWARE: Record<string, ZeroAware> = {
  ep_conv2d_f32: { term: 'fma', input: 0, other: 1 },
  ep_conv_transpose2d_f32: { term: 'fma', input: 0, other: 1 },
  ep_dense_f32: { term: 'fma', input: 0, other: 1 },
  ep_matmul_f32: { term: 'fma', input: 0, other: 1 },
  ep_sparse_dense_f32: { term: 'nonZeros', input: 0 },
  ep_sparse_conv2d_f32: { term: 'fma', input: 0 },
};

export const ZERO_PRODUCTS = 'zeroProducts';

/** The multiply-accumulate term of a kernel and which arguments are its two factors (undefined: not a MAC kernel). */
export function macTermOf(kernel: string): { term: string; input: number; other?: number } | undefined {
  return ZERO_AWARE[PRICED_WITHOUT_ARG[kernel]?.kernel ?? kernel];
}

const withZeroProducts = (k: KernelModel): KernelModel => (ZERO_AWARE[k.kernel] ? { ...k, timeTerms: [...k.timeTerms, ZERO_PRODUCTS] } : k);

/** Every kernel the cost model knows, by C name. */
export const KERNEL_MODELS: ReadonlyMap<string, KernelModel> = new Map(
  [conv2d, convTranspose2d, dense, matmul, pool2d(false), pool2d(true), globalPool('ep_global_avgpool_f32'), globalPool('ep_global_maxpool_f32'), unary, binary, channelAffine, softmax, reduce, transpose, pad, copyBlocks, sparseDense, sparseConv,
   conv2dS8, denseS8, quantizeS8, dequantizeS8, maxPool2dS8, copyBlocksS8, transposeS8, addS8, avgPool2dS8, globalAvgPoolS8, softmaxTail, sparseDenseS8, sparseConvS8, argMaxF32, argMaxS8]
    .map(withZeroProducts)
    .map((k) => [k.kernel, k]),
);

/**
 * Entry points that run another kernel's loops with other constants, analyzed by that kernel's formula: the per-tensor
 * dense entries (ep_int8_dense.h, ep_int8_sparse.h) read one requantization multiplier and shift for the layer (a
 * stride of 0) instead of one per output; the formula returns their own variant key (ep_dense_s8:pt,
 * ep_sparse_dense_s8:pt), calibrated on cases of their own. Their weight arrays (one pair) count as they are stored.
 */
const PRICED_AS: Readonly<Record<string, string>> = { ep_dense_s8_pt: 'ep_dense_s8', ep_sparse_dense_s8_pt: 'ep_sparse_dense_s8' };

/**
 * Kernels priced as another kernel's call without one argument: the ldw variants of the dense and conv kernels, float32
 * and int8 (a nested level reading the full model's weights through a row stride, src/levels/share-weights.ts) run
 * the same code as their unstrided kernels with a different constant offset between weight rows.
 */
const PRICED_WITHOUT_ARG: Readonly<Record<string, { kernel: string; arg: number }>> = {
  ep_dense_ldw_f32: { kernel: 'ep_dense_f32', arg: 7 },
  ep_conv2d_ldw_f32: { kernel: 'ep_conv2d_f32', arg: 19 },
  ep_dense_ldw_s8: { kernel: 'ep_dense_s8', arg: 9 },
  ep_dense_ldw_s8_pt: { kernel: 'ep_dense_s8_pt', arg: 9 },
  ep_conv2d_ldw_s8: { kernel: 'ep_conv2d_s8', arg: 21 },
};

function unstridedCall(call: CCall): CCall {
  const as = PRICED_WITHOUT_ARG[call.kernel];
  return as ? { kernel: as.kernel, args: call.args.filter((_, i) => i !== as.arg) } : call;
}

/** Headers every kernel depends on. */
export const COMMON_HEADERS = ['ep_common.h', 'ep_math.h'];

/** Every function a kernel model lists as shared code (linked once per model library). */
export function sharedCodeFunctions(): string[] {
  return [...new Set([...KERNEL_MODELS.values()].flatMap((m) => m.sharedCode ?? []))].sort();
}

/** The kernel model a calibration key belongs to. */
export function modelOfKey(key: string): KernelModel | undefined {
  return KERNEL_MODELS.get(key.split(':')[0]);
}

/** Fraction of zero elements of a run-time value (by name), when known from data; undefined: none assumed. */
export type ZeroFractions = (value: string) => number | undefined;

/** Zero fraction of each weight array (the search predicts the same arrays many times). */
const weightZeros = new WeakMap<object, number>();

function zeroFractionOf(a: CArg | undefined, zeroFraction: ZeroFractions): number {
  if (!a) return 0;
  if (a.kind === 'value') return zeroFraction(a.name) ?? 0;
  if (a.kind === 'weight') {
    const t = a.weight.tensor;
    let f = weightZeros.get(t);
    if (f === undefined) {
      f = t.size ? countZeros(t) / t.size : 0;
      weightZeros.set(t, f);
    }
    return f;
  }
  return 0;
}

/**
 * The cost model's analysis of one call; throws CostModelError for a kernel it does not know. `zeroFraction` gives
 * the share of zeros of run-time values (from data), which decides how many products are zero (see ZERO_AWARE);
 * `ctx` the target's core (the int8 kernels' DSP or portable path).
 */
export function analyzeCall(strided: CCall, zeroFraction: ZeroFractions = () => undefined, ctx: KernelContext = PORTABLE_CONTEXT): KernelUse {
  const call = unstridedCall(strided);
  const model = KERNEL_MODELS.get(PRICED_AS[call.kernel] ?? call.kernel);
  if (!model) {
    throw new CostModelError(`the cost model has no formula for kernel '${call.kernel}' (known: ${[...KERNEL_MODELS.keys()].join(', ')}); add it to src/cost/kernels.ts and recalibrate, or predict with { unknownKernels: 'fallback' }`);
  }
  const use = model.analyze(call, ctx);
  const z = ZERO_AWARE[call.kernel];
  if (z) {
    const px = zeroFractionOf(call.args[z.input], zeroFraction);
    const pw = z.other === undefined ? 0 : zeroFractionOf(call.args[z.other], zeroFraction);
    const zeroShare = 1 - (1 - px) * (1 - pw);
    const executed = use.time[z.term] ?? 0;
    use.time = { ...use.time, [z.term]: executed * (1 - zeroShare), [ZERO_PRODUCTS]: executed * zeroShare };
  }
  return use;
}

export { add as addTerms };
