// Which C kernels run a number of instructions that depends on the input data, per core class, and on what: read
// from templates/c/lib/*.h and checked in QEMU on adversarial vectors (test/verify/worst-case-qemu.test.ts).

import type { McuTarget } from '../targets/schema.js';
import { FAST_REQUANT_SHIFTS } from '../emit/c/requant-shifts.js';
import { modelOfKey } from './kernels.js';

/** FPU: single-precision VFP (Cortex-M4F/M7); thumb2-soft: Cortex-M3 (or M4/M7 without FPU); m0-soft: Cortex-M0/M0+. */
export type CoreClass = 'fpu' | 'thumb2-soft' | 'm0-soft';

export interface DataDependence {
  dependent: boolean;
  /** What the count depends on (empty when independent). */
  on: string[];
}

export function coreClassOf(target: Pick<McuTarget, 'core' | 'fpu'>): CoreClass {
  if (target.fpu) return 'fpu';
  return target.core === 'cortex-m0' || target.core === 'cortex-m0plus' ? 'm0-soft' : 'thumb2-soft';
}

/** How the model was compiled: --constant-time-mac (templates/c/lib/ep_mac_ct.h) on a soft-float Thumb-2 core. */
export interface DependenceOptions {
  constantTimeMac?: boolean;
}

const INDEPENDENT: DataDependence = { dependent: false, on: [] };
const on = (...what: string[]): DataDependence => ({ dependent: true, on: what });

/** Multiply-accumulate kernels: VFMA with an FPU; EP_MAC (ep_mac_thumb2.h / libgcc) without one. */
const MAC_KERNELS = new Set(['ep_conv2d_f32', 'ep_conv_transpose2d_f32', 'ep_dense_f32', 'ep_matmul_f32', 'ep_sparse_dense_f32', 'ep_sparse_conv2d_f32']);
/** A multiply-accumulate kernel's key (EP_MAC without an FPU: the library or the constant-time soft-float MAC). */
export const isMacKey = (key: string): boolean => MAC_KERNELS.has(key.split(':')[0]);
/** Kernels that only move or index values (loads, stores, integer index arithmetic). */
const DATA_MOVEMENT = new Set(['ep_copy_blocks_f32', 'ep_transpose_f32', 'ep_copy_blocks_s8', 'ep_transpose_s8']);
/** Float ops computed by branch-free VFP instructions or IT-predicated selects on an FPU core. */
const FPU_STRAIGHT = /^ep_(unary_f32:(RELU|LEAKY_RELU|NEG|ABS|RECIPROCAL)|binary_f32:(ADD|SUB|MUL|DIV|PRELU)|channel_affine_f32|avgpool2d_f32|global_avgpool_f32|reduce_f32:(SUM|MEAN)|pad_f32:.*|dequantize_s8_f32)$/;
/** Float ops with a clamp or a NaN test that gcc compiles to branches on an FPU core (found varying in QEMU). */
const FPU_CLAMPS = /^ep_(unary_f32:(CLIP|HARD_SIGMOID|HARD_SWISH)|binary_f32:(MAX|MIN))$/;
/** ep_math.h's range reductions (exp, log, tanh, erf, pow) branch on the argument's range. */
const MATH = /^ep_(unary_f32:(EXP|LOG|TANH|SIGMOID|ERF)|binary_f32:POW|softmax_f32(:log)?|softmax_tail_f32)$/;
/**
 * int8 kernels whose requantization saturates with SSAT / IT-predicated clamps on Thumb-2 (no branch on values): the
 * fast form of ep__rq_apply, shifts in FAST_REQUANT_SHIFTS (src/emit/c/requant-shifts.ts). A call with a shift
 * outside takes the exact rule, and callDependence marks it dependent; kernelDependence lists the keys that always take
 * the exact rule on Cortex-M3.
 */
const INT8_ARITHMETIC = /^ep_(conv2d_s8|sparse_conv2d_s8|sparse_dense_s8|add_s8|global_avgpool_s8|maxpool2d_s8)(:.*)?$|^ep_dense_s8(:pt)?$/;

/**
 * Keys whose only data dependence on an FPU core is a NaN in a window (the second pass of templates/c/lib/ep_pool.h):
 * one count on every other vector of the worst-case calibration, 2-3.4x that on NaNs (bench/nan-counts.ts).
 */
const FPU_NAN_ONLY = new Set(['ep_maxpool2d_f32', 'ep_global_maxpool_f32']);

/** What the worst-case analysis knows of one call beyond its key. */
export interface CallFacts {
  /** Its input 0 cannot hold a NaN (src/cost/nan-free.ts). */
  nanFreeInput: boolean;
  /** One of its requantization shifts is outside [33, 55] (exactRequantShifts). */
  exactRequant: boolean;
}

/**
 * kernelDependence of one call. A NaN-free input makes the FPU max pools data-independent; a requantization shift
 * outside FAST_REQUANT_SHIFTS makes an INT8_ARITHMETIC kernel dependent (its outputs take ep_requant_s8, which
 * saturates and clamps with branches on the value). Both checked in QEMU as every independent step is: verify fails
 * if an independent step's count varies.
 */
export function callDependence(key: string, core: CoreClass, facts: CallFacts, options: DependenceOptions = {}): DataDependence {
  if (facts.nanFreeInput && core === 'fpu' && FPU_NAN_ONLY.has(key)) return INDEPENDENT;
  if (facts.exactRequant && INT8_ARITHMETIC.test(key)) {
    return on(`requantization by the exact rule (a shift outside [${FAST_REQUANT_SHIFTS.join(', ')}]): its int32 saturation and activation clamp branch on the value`);
  }
  return kernelDependence(key, core, options);
}

/**
 * The data dependence of a calibration key (`ep_dense_f32`, `ep_unary_f32:RELU`, …) on a core class. Unknown keys are
 * dependent ("not analyzed"): the worst-case bound then prices them at their worst-case factor.
 */
export function kernelDependence(key: string, core: CoreClass, options: DependenceOptions = {}): DataDependence {
  const kernel = key.split(':')[0];
  if (!modelOfKey(key)) return on('not analyzed');
  if (DATA_MOVEMENT.has(kernel)) return INDEPENDENT;
  if (MAC_KERNELS.has(kernel)) {
    // One VFMA per MAC whatever the operands; the tiled conv's output clamp (ep__clamp) branches (found in QEMU).
    if (core === 'fpu') return key === 'ep_conv2d_f32' ? on('activation clamp of the outputs (branches in the tiled conv\'s epilogue)') : INDEPENDENT;
    // ep_mac_ct.h: the MAC, the bias added last (ep__sum_end, in ConvTranspose and the sparse conv too) and the fused
    // clamp without a branch on the data.
    if (core === 'thumb2-soft' && options.constantTimeMac) return INDEPENDENT;
    return core === 'thumb2-soft'
      ? on('zero factor (early return, ~26-29 instructions)', 'subnormal, infinite or NaN operand, product or sum out of the normal range, deep cancellation (libgcc path, up to ~270)')
      : on('every operand class of libgcc\'s soft-float multiply and add (zeros, subnormals, exponent difference, rounding)');
  }
  if (key === 'ep_unary_f32:NEG' || key === 'ep_unary_f32:ABS') return INDEPENDENT; // a sign-bit operation in soft float too
  if (kernel === 'ep_argmax_f32') return on('order of the values (a new best takes a branch)', 'NaN (the bits compare)');
  if (kernel === 'ep_argmax_s8') return on('order of the values (a new best takes a branch)');
  if (kernel === 'ep_quantize_f32_s8') {
    const base = ['saturation (|x / scale| out of the int8 range returns early)', 'zero, subnormal, infinite or NaN input'];
    // ep__quantize_int (the integer quotient of Cortex-M3-class cores: a reciprocal estimate whose one correction is
    // IT-predicated, no branch): the quotient's float32 rounding tests its remainder only at a tie of its guard bits,
    // then the integer rounding branches on its fraction (QEMU on lm3s6965, bench/kernels/quantize-s8.ts: ~49 to ~55
    // instructions per element on random data, up to ~64 on src/verify/quantize-tie-vectors.ts's fills).
    return core === 'thumb2-soft' ? on(...base, 'rounding of the quotient (a tie of its guard bits tests the remainder; the integer rounding\'s fraction)') : on(...base);
  }
  if (kernel === 'ep_avgpool2d_s8') return on('rounding division of the window sums (found varying in QEMU)');
  // The exact requantization rule (ep_requant_s8: the generic conv's, and ep__rq_apply's for a shift outside [33, 55],
  // as the global average pool of a few taps has) saturates and clamps with branches on Cortex-M3 (found in QEMU on
  // lm3s6965; IT-predicated on the Cortex-M4 build).
  if (core === 'thumb2-soft' && (key === 'ep_conv2d_s8:generic' || key === 'ep_global_avgpool_s8')) {
    return on('requantization by the exact rule (ep_requant_s8): its int32 saturation and activation clamp branch on the value');
  }
  if (INT8_ARITHMETIC.test(key)) return core === 'm0-soft' ? on('saturation and activation clamps (branches on Cortex-M0)') : INDEPENDENT;
  if (core !== 'fpu') return on('operands of libgcc\'s soft-float routines (zeros, subnormals, exponent differences, inf/NaN)');
  if (kernel === 'ep_maxpool2d_f32' || kernel === 'ep_global_maxpool_f32' || key === 'ep_reduce_f32:MAX' || key === 'ep_reduce_f32:MIN') {
    return on('NaN in a window (a second pass over it)');
  }
  if (FPU_CLAMPS.test(key)) return on('clamp bounds and NaN (branches)');
  if (key === 'ep_unary_f32:SQRT') return on('negative or NaN argument (sqrtf\'s library path)');
  if (MATH.test(key)) return on('range of the argument (ep_math.h range reduction, early returns for tiny, huge, inf/NaN)');
  if (FPU_STRAIGHT.test(key)) return INDEPENDENT;
  return on('not analyzed');
}
