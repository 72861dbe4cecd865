// What every kernel formula shares: the KernelUse/KernelModel shapes, the error, and access to a call's literal arguments.

import type { CArg, CCall } from '../../emit/c/c-step.js';
/** A kernel call as the cost model sees it. */
export interface KernelUse {
  /** Calibration key: the kernel, or `kernel:variant` where a variant has its own code (op, mode, path). */
  key: string;
  /** Executed work: term → count (instructions = Σ coefficient × count). */
  time: Record<string, number>;
  /** Code of the call site: term → size measure (code bytes = Σ coefficient × measure). */
  code: Record<string, number>;
  /** Nominal multiply-accumulates of the call (information: instructions per MAC). */
  macs: number;
}

/** The soft-float multiply then add of the float multiply-accumulate kernels (templates/c/lib/ep_mac_thumb2.h). */
export const SOFT_MAC_FUNCTIONS: readonly string[] = ['ep__mac_thumb2', 'ep__mac_thumb2_slow'];

export interface KernelModel {
  kernel: string;
  /** The header of templates/c/lib/ that defines it (ep_common.h and ep_math.h count for every kernel). */
  header: string;
  /** Further headers its code comes from (a change to any of them makes its calibration stale). */
  extraHeaders?: string[];
  /** Variant keys the analysis can return (each is calibrated separately). */
  keys: string[];
  /** Functions of its headers that a model library links once, however many calls use them (the soft-float multiply
   * then add): their bytes are the calibration's library.sharedCode, not the kernel's code terms. */
  sharedCode?: readonly string[];
  timeTerms: string[];
  codeTerms: string[];
  /** The formula in words, for the calibration file's header and the docs. */
  formula: string;
  analyze(call: CCall, ctx: KernelContext): KernelUse;
}

/**
 * What a kernel's code path depends on besides the call: the target's core. The int8 kernels take another path on
 * cores with the DSP extension (Cortex-M4/M7/M33: SMLAD) than on the others (Cortex-M0/M3); the float conv tile loads
 * with VLDM on cores with an FPU (ep_conv.h EP__CONV_VLDM).
 */
export interface KernelContext {
  dsp: boolean;
  fpu: boolean;
}

/** Cores whose gcc -mcpu= defines __ARM_FEATURE_DSP. */
const DSP_CORES = new Set(['cortex-m4', 'cortex-m7', 'cortex-m33']);

export function kernelContextOfCore(core: string, fpu = false): KernelContext {
  return { dsp: DSP_CORES.has(core), fpu };
}

/** The path the analyses assume without a target: the portable one. */
export const PORTABLE_CONTEXT: KernelContext = { dsp: false, fpu: false };

/** A call the cost model cannot analyze (unknown kernel, arguments it does not expect). */
export class CostModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CostModelError';
  }
}

// ---- argument access ----

export function intArg(call: CCall, i: number): number {
  const a = call.args[i];
  if (!a || a.kind !== 'int') throw new CostModelError(`${call.kernel}: argument ${i} is ${a ? a.kind : 'missing'}, the cost model expects a literal int (did the kernel's signature change?)`);
  return a.value;
}

export function floatArg(call: CCall, i: number): number {
  const a = call.args[i];
  if (!a || a.kind !== 'float') throw new CostModelError(`${call.kernel}: argument ${i} is ${a ? a.kind : 'missing'}, the cost model expects a literal float`);
  return a.value;
}

export function intsArg(call: CCall, i: number): number[] {
  const a = call.args[i];
  if (!a || a.kind !== 'ints') throw new CostModelError(`${call.kernel}: argument ${i} is ${a ? a.kind : 'missing'}, the cost model expects an int array`);
  return a.values;
}

export function symbolArg(call: CCall, i: number, prefix: string): string {
  const a = call.args[i];
  if (!a || a.kind !== 'symbol' || !a.name.startsWith(prefix)) throw new CostModelError(`${call.kernel}: argument ${i} should be a ${prefix}* constant`);
  return a.name.slice(prefix.length);
}

export const isNull = (a: CArg | undefined) => !a || a.kind === 'null';

/** Sides of the fused clamp that do work: 0 (none), 1 (ReLU), 2 (Clip). */
export function clampSides(lo: number, hi: number): number {
  return (lo > -Infinity ? 1 : 0) + (hi < Infinity ? 1 : 0);
}

// C integer division helpers, as ep_common.h defines them (truncation toward zero in C).
export const cdiv = (a: number, b: number) => Math.trunc(a / b);
export const floorDiv = (a: number, b: number) => (a >= 0 ? cdiv(a, b) : -cdiv(-a + b - 1, b));
export const ceilDiv = (a: number, b: number) => (a >= 0 ? cdiv(a + b - 1, b) : -cdiv(-a, b));

export function add(into: Record<string, number>, from: Record<string, number>, times = 1): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v * times;
}

export function zeros(terms: string[]): Record<string, number> {
  return Object.fromEntries(terms.map((t) => [t, 0]));
}

/**
 * The axes a broadcasting binary kernel loops over (ep_binary_f32, ep_add_s8): the output's axes without those of
 * size 1, adjacent ones merged where both inputs are contiguous across them, with each input's element stride.
 */
export function mergedBroadcastAxes(rank: number, outShape: number[], as: number[], bs: number[]): { shape: number[]; sa: number[]; sb: number[] } {
  const shape: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (outShape[i] === 1) continue;
    const r = shape.length;
    if (r > 0 && sa[r - 1] === as[i] * outShape[i] && sb[r - 1] === bs[i] * outShape[i]) {
      shape[r - 1] *= outShape[i];
      sa[r - 1] = as[i];
      sb[r - 1] = bs[i];
      continue;
    }
    shape.push(outShape[i]);
    sa.push(as[i]);
    sb.push(bs[i]);
  }
  return { shape, sa, sb };
}
